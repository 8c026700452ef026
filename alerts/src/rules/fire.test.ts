import type { ReadingSample } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { fireRule } from './fire.js';
import { context, event, reading, run, summary, T0 } from './test-kit.js';
import type { RuleContext, RuleInput } from './types.js';
import type { RuleSettings } from './settings.js';

const kitchen = { id: 'kitchen1', kind: 'kitchen' as const };
const smoke = context({ kind: 'smoke', resident: null, location: kitchen });
const smoke2 = context({ kind: 'smoke', resident: null, location: kitchen, device: { id: 'sm2' } });
const at = (s: number) => T0 + s * 1000;
const r = (
  ctx: RuleContext<RuleSettings>,
  s: number,
  fields: Omit<ReadingSample, 'ts'>,
): [RuleInput, RuleContext<RuleSettings>] => [reading({ ts: at(s), ...fields }), ctx];
const RAISE = 'raise critical location:kitchen1';
const CLEAR = 'clear critical location:kitchen1';

describe('fire rule', () => {
  it.each([
    ['smoke 10 %/m raises', { smoke: 10 }, [RAISE], 'smoke at 10 %/m or more'],
    ['smoke 9.9 does not', { smoke: 9.9 }, [CLEAR], undefined],
    ['temperature 57 °C raises', { temp: 57 }, [RAISE], 'temperature at 57 °C or more'],
    ['temperature 56.9 does not', { temp: 56.9 }, [CLEAR], undefined],
  ])('%s', (_name, fields, expected, detail) => {
    const intents = run(fireRule, [r(smoke, 0, fields)]);
    expect(summary(intents)).toEqual(expected);
    if (detail) expect(intents[0]!.detail).toBe(detail);
  });

  it.each([
    [
      '8 °C in 60 s raises',
      [
        [0, 20],
        [30, 24],
        [60, 28],
      ],
      [CLEAR, RAISE],
    ],
    [
      '7.9 °C in 60 s does not',
      [
        [0, 20],
        [30, 23.9],
        [60, 27.9],
      ],
      [CLEAR],
    ],
    [
      '4 °C in 30 s raises (half the window is enough)',
      [
        [0, 20],
        [30, 24],
      ],
      [CLEAR, RAISE],
    ],
    [
      '4 °C in 29 s is not judged yet',
      [
        [0, 20],
        [29, 24],
      ],
      [CLEAR],
    ],
    [
      'out of order: the same rise',
      [
        [60, 28],
        [0, 20],
        [30, 24],
      ],
      [CLEAR, RAISE],
    ],
  ] as Array<[string, Array<[number, number]>, string[]]>)('rate of rise: %s', (_name, temps, expected) => {
    const intents = run(
      fireRule,
      temps.map(([s, temp]) => r(smoke, s, { temp })),
    );
    expect(summary(intents)).toEqual(expected);
    if (expected.includes(RAISE)) expect(intents.at(-1)!.detail).toBe('temperature rising 8 °C/min or faster');
  });

  it('alarm events raise every time; a clear event and calm readings clear once everything is calm', () => {
    const intents = run(fireRule, [
      [event('alarm', at(0)), smoke],
      [event('alarm', at(5)), smoke],
      r(smoke, 6, { smoke: 0, temp: 21 }),
      [event('test', at(7)), smoke],
      [event('clear', at(8)), smoke],
    ]);
    expect(summary(intents)).toEqual([RAISE, RAISE, CLEAR]);
    expect(intents[0]!.detail).toBe('smoke detector alarm');
  });

  it('two detectors in one room make one alert that clears only when both are calm', () => {
    const intents = run(fireRule, [
      r(smoke, 0, { smoke: 15 }),
      r(smoke2, 1, { smoke: 12 }),
      r(smoke, 2, { smoke: 0 }),
      r(smoke2, 3, { smoke: 0 }),
    ]);
    expect(summary(intents)).toEqual([RAISE, CLEAR]);
  });

  it('a detector without a location raises for itself; facility overrides apply; other kinds are ignored', () => {
    const loose = context({ kind: 'smoke', resident: null, location: null });
    expect(summary(run(fireRule, [r(loose, 0, { smoke: 50 })]))).toEqual(['raise critical device:d1']);
    const lenient = context({ kind: 'smoke', location: kitchen, overrides: { fire: { smokeAtLeast: 20 } } });
    expect(summary(run(fireRule, [r(lenient, 0, { smoke: 15 })]))).toEqual([CLEAR]);
    expect(run(fireRule, [r(context({ kind: 'gas' }), 0, { lel: 50 })])).toEqual([]);
  });
});
