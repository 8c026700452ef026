import type { ReadingSample } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { noVitalsInBedRule } from './no-vitals-in-bed.js';
import { context, reading, run, summary, T0 } from './test-kit.js';

const bedmat = context({ kind: 'bedmat', resident: { careLevel: 'fully-dependent' } });
const at = (s: number) => T0 + s * 1000;
const steps = (samples: Array<[number, Omit<ReadingSample, 'ts'>]>) =>
  samples
    .map(([s, fields]) => [reading({ ts: at(s), ...fields }), bedmat] as const)
    .map(([i, c]) => [i, c] as [typeof i, typeof c]);
const still = { occupied: true, hr: 0, rr: 0 };
const alive = { occupied: true, hr: 62, rr: 14 };
const RAISE = 'raise critical resident:r1';
const CLEAR = 'clear critical resident:r1';

describe('no vitals in bed rule', () => {
  it.each([
    [
      '0/0 for exactly 20 s raises',
      [
        [0, alive],
        [5, still],
        [15, still],
        [25, still],
      ],
      ['clear critical resident:r1', RAISE],
    ],
    [
      '0/0 for 19 s does not',
      [
        [0, alive],
        [5, still],
        [15, still],
        [24, still],
      ],
      ['clear critical resident:r1'],
    ],
    [
      'hr 0 but breathing does not',
      [
        [0, { ...still, rr: 1 }],
        [30, { ...still, rr: 1 }],
      ],
      ['clear critical resident:r1'],
    ],
    [
      'an empty bed does not',
      [
        [0, { occupied: false, hr: 0, rr: 0 }],
        [30, { occupied: false, hr: 0, rr: 0 }],
      ],
      ['clear critical resident:r1'],
    ],
    [
      'vital signs again clear it',
      [
        [0, still],
        [20, still],
        [25, alive],
      ],
      [RAISE, CLEAR],
    ],
  ] as Array<[string, Array<[number, Omit<ReadingSample, 'ts'>]>, string[]]>)('%s', (_name, samples, expected) => {
    expect(summary(run(noVitalsInBedRule, steps(samples)))).toEqual(expected);
  });

  it('samples without occupancy take the last one reported; out-of-order samples count where they happened', () => {
    const intents = run(
      noVitalsInBedRule,
      steps([
        [0, alive],
        [30, { hr: 0, rr: 0 }],
        [10, { hr: 0, rr: 0 }],
      ]),
    );
    expect(summary(intents)).toEqual(['clear critical resident:r1', RAISE]);
    expect(intents[1]).toMatchObject({
      occurredAt: at(30),
      detail: 'no heart rate or breathing in an occupied bed for 20 s',
    });
  });

  it('the window is a resident override', () => {
    const patient = context({ kind: 'bedmat', overrides: { noVitalsInBed: { sustainMs: 40_000 } } });
    const intents = run(noVitalsInBedRule, [
      [reading({ ts: at(0), ...still }), patient],
      [reading({ ts: at(20), ...still }), patient],
      [reading({ ts: at(30), ...still }), patient],
    ]);
    expect(intents).toEqual([]);
  });

  it('a gap longer than the allowed one breaks the run', () => {
    expect(
      summary(
        run(
          noVitalsInBedRule,
          steps([
            [0, still],
            [40, still],
          ]),
        ),
      ),
    ).toEqual([]);
  });
});
