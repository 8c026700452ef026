import type { ReadingSample } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { deteriorationRule } from './deterioration.js';
import type { RuleSettings } from './settings.js';
import { batch, context, run, reading, status, summary, T0 } from './test-kit.js';
import type { AlertIntent, RuleContext, RuleInput } from './types.js';
import { vitalsRule } from './vitals.js';

const wristband = context({ kind: 'wristband', device: { id: 'wb1' } });
const bedmat = context({ kind: 'bedmat', device: { id: 'bm1' } });
const MIN = 60_000;
type Fields = Omit<ReadingSample, 'ts'>;
type Steps = Array<[RuleInput, RuleContext<RuleSettings>]>;

/** Samples every 10 s from `fromMin` to `toMin` (exclusive) minutes, from each device given. */
function span(fromMin: number, toMin: number, band: Fields | null, mat: Fields | null = null, ctx = wristband): Steps {
  const steps: Steps = [];
  for (let t = fromMin * MIN; t < toMin * MIN; t += 10_000) {
    if (band) steps.push([reading({ ts: T0 + t, ...band }), ctx]);
    if (mat) steps.push([reading({ ts: T0 + t + 5_000, occupied: true, ...mat }), bedmat]);
  }
  return steps;
}
const tsOf = (input: RuleInput) => (input as { sample: ReadingSample }).sample.ts;
const raises = (intents: AlertIntent[]) =>
  intents.filter((i) => i.action === 'raise').map((i) => [(i.occurredAt - T0) / MIN, i.priority, i.detail]);

const calm = { band: { hr: 72, spo2: 97 }, mat: { hr: 72, rr: 15 } };

describe('deterioration rule: NEWS2 from the devices of one resident', () => {
  it('a combination raises high before any vitals threshold is crossed, with the parts, never the values', () => {
    const steps = [...span(0, 2, calm.band, calm.mat), ...span(2, 12, { hr: 115, spo2: 93 }, { hr: 115, rr: 22 })];
    const intents = run(deteriorationRule, steps);
    // Values are smoothed (20 s time constant): the score reaches 6 about 40 s after the change, and holds 5 min.
    expect(raises(intents)).toEqual([[7 + 40 / 60, 'high', 'NEWS2 6 (partial): RR 2, SpO2 2, HR 2']]);
    expect(intents.every((i) => i.subject === 'resident:r1')).toBe(true);
    expect(run(vitalsRule, steps).filter((i) => i.action === 'raise')).toEqual([]);
  });

  it.each([
    ['aggregate 4 for 30 min', span(0, 30, { hr: 95, spo2: 94 }, { hr: 95, rr: 22 }), []],
    [
      'aggregate 6 for 4 min, then better',
      [...span(0, 4, { hr: 115, spo2: 93 }, { rr: 22 }), ...span(4, 20, calm.band, calm.mat)],
      [],
    ],
    [
      'one parameter scoring 3',
      span(0, 10, calm.band, { rr: 26 }),
      // From the bed mat's first sample, 5 s in.
      [[5 + 5 / 60, 'high', 'NEWS2 3 (partial): RR 3, SpO2 0, HR 0']],
    ],
    [
      '7 or more is critical',
      span(0, 10, { hr: 115, spo2: 91 }, { rr: 26 }),
      // The first sample (no respiration rate yet) scores 5: high first, critical once the bed mat adds RR 3.
      [
        [5, 'high', 'NEWS2 8 (partial): RR 3, SpO2 3, HR 2'],
        [5 + 5 / 60, 'critical', 'NEWS2 8 (partial): RR 3, SpO2 3, HR 2'],
      ],
    ],
    ['wristband samples taken while moving do not count', span(0, 20, { hr: 135, spo2: 88, motion: 60 }), []],
    [
      'the bed mat still counts while the wristband moves',
      span(0, 10, { hr: 135, spo2: 88, motion: 60 }, { hr: 80, rr: 26 }),
      [[5 + 5 / 60, 'high', 'NEWS2 3 (partial): RR 3, HR 0']],
    ],
  ] as Array<[string, Steps, unknown[]]>)('%s', (_name, steps, expected) => {
    expect(raises(run(deteriorationRule, steps))).toEqual(expected);
  });

  it('SpO2 scale 2 is a per-resident setting', () => {
    const hypercapnic = context({ kind: 'wristband', overrides: { deterioration: { spo2Scale: 2 } } });
    expect(raises(run(deteriorationRule, span(0, 10, { hr: 72, spo2: 89 })))).toEqual([
      [5, 'high', 'NEWS2 3 (partial): SpO2 3, HR 0'],
    ]);
    expect(raises(run(deteriorationRule, span(0, 10, { hr: 72, spo2: 89 }, null, hypercapnic)))).toEqual([]);
    expect(raises(run(deteriorationRule, span(0, 10, { hr: 72, spo2: 83 }, null, hypercapnic)))).toEqual([
      [5, 'high', 'NEWS2 3 (partial): SpO2 (scale 2) 3, HR 0'],
    ]);
  });

  it('values count while fresh: respiration rate for 5 min after the bed is left, blood pressure for 2 h', () => {
    const rr = run(deteriorationRule, [
      ...span(0, 10, calm.band, { rr: 26 }),
      ...span(10, 20, calm.band, { occupied: false }),
    ]);
    expect(summary(rr).slice(-2)).toEqual(['raise high resident:r1', 'clear high resident:r1']);
    expect((rr.at(-1)!.occurredAt - T0) / MIN).toBeCloseTo(15, 0);
    const bp = run(deteriorationRule, [
      [reading({ ts: T0, sbp: 95 }), wristband],
      ...span(0, 150, { hr: 115, spo2: 94 }),
    ]);
    expect(bp.map((i) => [i.action, Math.round((i.occurredAt - T0) / MIN)])).toEqual([
      ['clear', 0], // the first calm observation after a start: an alert may be open from before
      ['raise', 5],
      ['clear', 120],
    ]);
    expect(bp[1]!.detail).toBe('NEWS2 5 (partial): SpO2 1, SBP 2, HR 2');
  });

  it("judges across devices in device time, whatever the order the devices' messages arrive in", () => {
    // The wristband is calm; the bed mat's respiration rate turns bad (3) at 2 min and calm again at 8 min.
    const band = span(0, 12, calm.band);
    const mat = [...span(0, 2, null, calm.mat), ...span(2, 8, null, { rr: 26 }), ...span(8, 12, null, calm.mat)];
    // The engine primes every registered device at start: the rule knows the resident has a bed mat to wait for.
    const primed = () => {
      const state = deteriorationRule.initialState();
      deteriorationRule.prime!(bedmat, null, state);
      return state;
    };
    const inTime = run(
      deteriorationRule,
      [...band, ...mat].sort(([a], [b]) => tsOf(a) - tsOf(b)),
      primed(),
    );
    expect(raises(inTime)).toEqual([[7 + 35 / 60, 'high', 'NEWS2 3 (partial): RR 3, SpO2 0, HR 0']]);
    // The mat uploads 64 samples at a time, after the wristband's newer samples (each device in its own order).
    const late: Steps = [];
    for (let i = 0; i < mat.length; i += 64) {
      late.push(...band.filter(([input]) => tsOf(input) < tsOf(mat[Math.min(i + 63, mat.length - 1)]![0]) + MIN));
      late.push(...mat.slice(i, i + 64));
    }
    const once = [...new Map(late.map((step) => [step[0], step])).values()];
    expect(run(deteriorationRule, once, primed())).toEqual(inTime);
  });

  it('a device gone (its Last Will) or silent past its allowance is no longer waited for', () => {
    const state = deteriorationRule.initialState();
    deteriorationRule.prime!(bedmat, null, state);
    const worse = span(0, 6, { hr: 120, spo2: 91 });
    // The bed mat never reports: the wristband's samples wait for it.
    expect(run(deteriorationRule, worse, state)).toEqual([]);
    // 3 × its 10 s expected interval after the first sample waited, the tick judges them.
    expect(raises(deteriorationRule.tick!(wristband.now + 29_999, state))).toEqual([]);
    expect(raises(deteriorationRule.tick!(wristband.now + 30_000, state))).toEqual([
      [5, 'high', 'NEWS2 5 (partial): SpO2 3, HR 2'],
    ]);
    const gone = deteriorationRule.initialState();
    deteriorationRule.prime!(bedmat, null, gone);
    run(deteriorationRule, worse, gone);
    expect(raises(run(deteriorationRule, [[status({ online: false }, true), bedmat]], gone))).toEqual([
      [5, 'high', 'NEWS2 5 (partial): SpO2 3, HR 2'],
    ]);
  });

  it('a silence longer than the freshness window starts the band over', () => {
    const worse = { hr: 120, spo2: 91 };
    expect(raises(run(deteriorationRule, [...span(0, 4, worse), ...span(10, 12, worse)]))).toEqual([]);
  });

  it('the same readings give the same alerts one per message or in batches of 64, in any order inside a batch', () => {
    const samples = span(0, 30, { hr: 120, spo2: 91 }).map(([input]) => (input as { sample: ReadingSample }).sample);
    const single = run(
      deteriorationRule,
      samples.map((sample) => [reading(sample), wristband]),
    );
    expect(raises(single)).toEqual([[5, 'high', 'NEWS2 5 (partial): SpO2 3, HR 2']]);
    const batched: Steps = [];
    for (let i = 0; i < samples.length; i += 64)
      for (const input of batch(samples.slice(i, i + 64).reverse())) batched.push([input, wristband]);
    expect(run(deteriorationRule, batched)).toEqual(single);
  });
});
