import { describe, expect, it } from 'vitest';
import { NEWS2_BANDS, news2Score } from './news2.js';

/** Each parameter's scores at the edges of its NEWS2 chart bands (RCP 2017, chart 1). */
describe('NEWS2 bands', () => {
  it.each([
    [
      'rr',
      [
        [8, 3],
        [9, 1],
        [11, 1],
        [12, 0],
        [20, 0],
        [21, 2],
        [24, 2],
        [25, 3],
      ],
    ],
    [
      'spo2Scale1',
      [
        [91, 3],
        [92, 2],
        [93, 2],
        [94, 1],
        [95, 1],
        [96, 0],
        [100, 0],
      ],
    ],
    [
      'spo2Scale2',
      [
        [83, 3],
        [84, 2],
        [85, 2],
        [86, 1],
        [87, 1],
        [88, 0],
        [97, 0],
      ],
    ],
    [
      'sbp',
      [
        [90, 3],
        [91, 2],
        [100, 2],
        [101, 1],
        [110, 1],
        [111, 0],
        [219, 0],
        [220, 3],
      ],
    ],
    [
      'hr',
      [
        [40, 3],
        [41, 1],
        [50, 1],
        [51, 0],
        [90, 0],
        [91, 1],
        [110, 1],
        [111, 2],
        [130, 2],
        [131, 3],
      ],
    ],
  ] as const)('%s', (parameter, cases) => {
    for (const [value, score] of cases)
      expect([value, news2Score(NEWS2_BANDS[parameter], value)]).toEqual([value, score]);
  });

  it('scores a smoothed value as the whole number a chart would record', () => {
    expect(news2Score(NEWS2_BANDS.hr, 90.4)).toBe(0);
    expect(news2Score(NEWS2_BANDS.hr, 90.5)).toBe(1);
  });
});
