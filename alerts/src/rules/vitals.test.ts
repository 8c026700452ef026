import type { ReadingSample } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { batch, context, reading, run, summary, T0 } from './test-kit.js';
import type { RuleContext, RuleInput } from './types.js';
import type { RuleSettings } from './settings.js';
import { vitalsRule } from './vitals.js';

const wristband = context({ kind: 'wristband' });
const bedmat = context({ kind: 'bedmat', device: { id: 'bm1' } });
const at = (s: number) => T0 + s * 1000;

/** One message per sample: `[seconds, fields]`, arriving as it is taken, or at `ctx.now` if that is later. */
const each = (ctx: RuleContext<RuleSettings>, samples: Array<[number, Omit<ReadingSample, 'ts'>]>) =>
  samples.map(([s, fields]): [RuleInput, RuleContext<RuleSettings>] => [
    reading({ ts: at(s), ...fields }),
    { ...ctx, now: Math.max(ctx.now, at(s)) },
  ]);
const hr = (...pairs: Array<[number, number]>) =>
  each(
    wristband,
    pairs.map(([s, v]) => [s, { hr: v }]),
  );
const every10s = (from: number, to: number, fields: Omit<ReadingSample, 'ts'>) => {
  const out: Array<[number, Omit<ReadingSample, 'ts'>]> = [];
  for (let s = from; s <= to; s += 10) out.push([s, fields]);
  return out;
};

const calmAt = (s: number): [number, Omit<ReadingSample, 'ts'>] => [s, { hr: 90 }];

// The first calm sample of a subject clears (restart safety), so most sequences start calm.
const calm = 'clear high resident:r1:hr';

describe('vitals rule: sustained heart rate', () => {
  it.each([
    ['above 130 for exactly 60 s raises', every10s(10, 70, { hr: 131 }), ['raise high resident:r1:hr']],
    ['above 130 for 50 s does not', every10s(10, 60, { hr: 131 }), []],
    ['exactly 130 is in range', every10s(10, 200, { hr: 130 }), []], // calm after the first clear: no intent
    ['exactly 40 is in range', every10s(10, 200, { hr: 40 }), []],
    ['below 40 for 60 s raises', every10s(10, 70, { hr: 39 }), ['raise high resident:r1:hr']],
    [
      'one calm sample restarts the window',
      [...every10s(10, 40, { hr: 140 }), calmAt(50), ...every10s(60, 100, { hr: 140 })],
      [],
    ],
  ])('%s', (_name, samples, expected) => {
    const intents = run(vitalsRule, [...each(wristband, [[0, { hr: 80 }]]), ...each(wristband, samples)]);
    expect(summary(intents)).toEqual([calm, ...expected]);
  });

  it('raises once per run, with the crossing time as occurredAt, and clears when back in range', () => {
    const intents = run(vitalsRule, [
      ...hr([0, 80]),
      ...each(wristband, every10s(10, 120, { hr: 135 })),
      ...hr([130, 90], [140, 95]),
    ]);
    expect(summary(intents)).toEqual([calm, 'raise high resident:r1:hr', calm]);
    expect(intents[1]).toMatchObject({ occurredAt: at(70), detail: 'heart rate above 130 bpm for 60 s', device: 'd1' });
  });

  it('judges out-of-order samples where they happened', () => {
    const intents = run(vitalsRule, [...hr([0, 80], [70, 140], [10, 140], [50, 140], [30, 140], [40, 140], [20, 140])]);
    expect(summary(intents)).toEqual([calm, 'raise high resident:r1:hr']);
    // Delivered before 60 s of device time were covered: no raise.
    expect(summary(run(vitalsRule, [...hr([0, 80], [60, 140], [10, 140], [30, 140])]))).toEqual([calm]);
  });

  it('late samples after an outage raise for what happened, then clear if it is over', () => {
    const later = { ...wristband, now: at(600) };
    const intents = run(vitalsRule, [
      ...hr([0, 80]),
      ...each(later, [...every10s(100, 200, { hr: 150 }), calmAt(210)]),
    ]);
    expect(summary(intents)).toEqual([calm, 'raise high resident:r1:hr', calm]);
    expect(intents[1]!.occurredAt).toBe(at(160));
  });

  it('samples further apart than the allowed gap are not one sustained run', () => {
    expect(summary(run(vitalsRule, hr([0, 80], [10, 140], [45, 140], [80, 140])))).toEqual([calm]);
    const sparse = context({ kind: 'wristband', device: { expectedIntervalS: 30 } });
    const intents = run(
      vitalsRule,
      each(sparse, [
        [0, { hr: 80 }],
        [10, { hr: 140 }],
        [50, { hr: 140 }],
        [70, { hr: 140 }],
      ]),
    );
    expect(summary(intents)).toEqual([calm, 'raise high resident:r1:hr']);
  });

  it('skips samples of a wristband not worn or an empty bed', () => {
    const notWorn = each(wristband, every10s(10, 100, { hr: 0, worn: false }));
    expect(summary(run(vitalsRule, [...hr([0, 80]), ...notWorn]))).toEqual([calm]);
    const empty = each(bedmat, every10s(10, 100, { hr: 0, rr: 0, occupied: false }));
    expect(run(vitalsRule, empty)).toEqual([]);
  });

  it('a resident override moves the threshold, a facility override the window', () => {
    const tolerant = context({ kind: 'wristband', overrides: { vitals: { hrAbove: 140 } } });
    expect(summary(run(vitalsRule, each(tolerant, every10s(0, 100, { hr: 135 }))))).toEqual([calm]);
    const quick = context({ kind: 'wristband', overrides: { vitals: { sustainMs: 20_000 } } });
    const intents = run(vitalsRule, each(quick, every10s(0, 20, { hr: 135 })));
    expect(intents.map((i) => i.detail)).toEqual(['heart rate above 130 bpm for 20 s']);
  });
});

describe('vitals rule: several devices, SpO2, RR and blood pressure', () => {
  it('a bed mat in range does not clear what the wristband still sees; the last one back does', () => {
    const intents = run(vitalsRule, [
      ...each(wristband, every10s(0, 60, { hr: 140 })),
      ...each(bedmat, [[65, { hr: 80, rr: 14, occupied: true }]]),
      ...each(wristband, [
        [70, { hr: 140 }],
        [80, { hr: 90 }],
      ]),
    ]);
    expect(summary(intents)).toEqual(['raise high resident:r1:hr', 'clear high resident:r1:rr', calm]);
  });

  it('a device silent for 5 min no longer holds the alert open', () => {
    const intents = run(vitalsRule, [
      ...each(wristband, every10s(0, 60, { hr: 140 })),
      ...each(bedmat, [
        [200, { hr: 80 }],
        [400, { hr: 80 }],
      ]),
    ]);
    expect(summary(intents)).toEqual(['raise high resident:r1:hr', calm]);
  });

  it('SpO2: below 90 sustained is high, below 85 for 15 s is critical, never downgraded, cleared when back', () => {
    const intents = run(vitalsRule, [
      ...each(wristband, every10s(0, 60, { spo2: 88 })),
      ...each(wristband, [
        [70, { spo2: 84 }],
        [80, { spo2: 84 }],
        [85, { spo2: 84 }],
        [90, { spo2: 88 }],
        [100, { spo2: 85 }],
        [110, { spo2: 95 }],
      ]),
    ]);
    expect(summary(intents)).toEqual([
      'raise high resident:r1:spo2',
      'raise critical resident:r1:spo2',
      'clear critical resident:r1:spo2',
    ]);
    expect(intents[1]).toMatchObject({ detail: 'SpO2 below 85 % for 15 s (30 s while moving)', occurredAt: at(85) });
  });
});

describe('vitals rule: critically low SpO2 is confirmed, moving samples weigh less', () => {
  const spo2 = (...samples: Array<[number, number, number?]>) =>
    each(
      wristband,
      samples.map(([s, v, motion]) => [s, motion === undefined ? { spo2: v } : { spo2: v, motion }]),
    );
  const critical = (intents: ReturnType<typeof run>) =>
    intents.filter((i) => i.priority === 'critical' && i.action === 'raise');

  it.each([
    ['one low sample (an artefact)', spo2([0, 97], [5, 80], [6, 97]), []],
    ['low for 14 s', spo2([0, 97], [5, 84], [12, 84], [19, 84], [20, 96]), []],
    ['84 for exactly 15 s at rest', spo2([0, 97], [5, 84], [12, 84], [20, 84]), [20]],
    ['85 is not below 85', spo2([0, 97], [5, 85], [15, 85], [25, 85]), []],
    ['low while moving for 25 s', spo2([0, 97], [5, 80, 60], [15, 80, 60], [25, 80, 60], [30, 80, 60], [31, 97]), []],
    ['low while moving for 30 s', spo2([0, 97], [5, 80, 60], [15, 80, 60], [25, 80, 60], [35, 80, 60]), [35]],
    ['motion 19 counts as rest', spo2([0, 97], [5, 84, 19], [20, 84, 19]), [20]],
    ['moving samples bridge two samples at rest', spo2([0, 97], [5, 84], [10, 84, 70], [15, 84, 70], [20, 84]), [20]],
    ['a moving sample in range ends the run', spo2([0, 97], [5, 84], [10, 96, 70], [15, 84], [25, 84]), []],
  ])('%s', (_name, steps, raisedAt) => {
    expect(critical(run(vitalsRule, steps)).map((i) => (i.occurredAt - T0) / 1000)).toEqual(raisedAt);
  });

  it('both confirmations of a long episode raise with one detail, so the alert does not flip', () => {
    const intents = critical(run(vitalsRule, spo2(...[...Array(10).keys()].map((k): [number, number] => [k * 5, 84]))));
    expect(intents.map((i) => [(i.occurredAt - T0) / 1000, i.detail])).toEqual([
      [15, 'SpO2 below 85 % for 15 s (30 s while moving)'],
      [30, 'SpO2 below 85 % for 15 s (30 s while moving)'],
    ]);
  });

  it('a desaturation inside one batched upload still raises critical, and the window is configurable', () => {
    const upload = batch([...Array(40).keys()].map((k) => ({ ts: at(64 - k * 5), spo2: k < 12 ? 97 : 83 })));
    const intents = run(
      vitalsRule,
      upload.map((input) => [input, wristband]),
    );
    // Low from -131 s to 4 s: confirmed 15 s in, then again by the longer windows (same alert, same detail).
    expect(critical(intents).map((i) => (i.occurredAt - T0) / 1000)).toEqual([-116, -101, -71]);
    const instant = context({ kind: 'wristband', overrides: { vitals: { spo2CriticalSustainMs: 0 } } });
    expect(summary(critical(run(vitalsRule, [[reading({ ts: T0, spo2: 84 }), instant]])))).toEqual([
      'raise critical resident:r1:spo2',
    ]);
  });
});

describe('vitals rule: respiratory rate and blood pressure', () => {
  it.each([
    ['rr 31 for 60 s', { rr: 31 }, ['raise high resident:r1:rr']],
    ['rr 30', { rr: 30 }, ['clear high resident:r1:rr']],
    ['rr 7 for 60 s', { rr: 7 }, ['raise high resident:r1:rr']],
    ['rr 8', { rr: 8 }, ['clear high resident:r1:rr']],
  ] as const)('respiratory rate: %s', (_name, fields, expected) => {
    const intents = run(vitalsRule, each(bedmat, every10s(0, 60, { ...fields, occupied: true })));
    expect(summary(intents)).toEqual(expected);
  });

  it.each([
    ['SBP 180 twice', [{ sbp: 180 }, { sbp: 180 }], ['raise high resident:r1:bp']],
    ['SBP 180 then 179', [{ sbp: 180 }, { sbp: 179 }], ['clear high resident:r1:bp']],
    ['SBP 90 twice', [{ sbp: 90 }, { sbp: 90 }], ['raise high resident:r1:bp']],
    ['SBP 91 twice', [{ sbp: 91 }, { sbp: 91 }], ['clear high resident:r1:bp']],
    ['DBP 120 twice', [{ dbp: 120 }, { dbp: 120 }], ['raise high resident:r1:bp']],
    ['DBP 119 twice', [{ dbp: 119 }, { dbp: 119 }], ['clear high resident:r1:bp']],
  ] as const)('blood pressure, two readings hours apart: %s', (_name, fields, expected) => {
    const intents = run(
      vitalsRule,
      each(wristband, [
        [0, fields[0]],
        [3 * 3600, fields[1]],
      ]),
    );
    expect(summary(intents)).toEqual(expected);
  });

  it('blood pressure detail names the threshold and the count', () => {
    const intents = run(
      vitalsRule,
      each(wristband, [
        [0, { sbp: 190, dbp: 80 }],
        [600, { sbp: 185, dbp: 80 }],
      ]),
    );
    expect(intents.map((i) => i.detail)).toEqual(['systolic blood pressure 180 mmHg or higher on 2 readings']);
  });
});
