import { describe, expect, it } from 'vitest';
import { electricalRule } from './electrical.js';
import { gasRule } from './gas.js';
import { batch, context, event, reading, run, summary, T0 } from './test-kit.js';
import type { RuleInput } from './types.js';

const kitchen = { id: 'kitchen1', kind: 'kitchen' as const };
const gas = context({ kind: 'gas', resident: null, location: kitchen });
const board = context({
  kind: 'electrical',
  resident: null,
  location: { id: 'board1', kind: 'board' },
  device: { id: 'el1' },
});

describe('gas rule', () => {
  it.each([
    [{ lel: 9.9 }, ['clear critical location:kitchen1']],
    [{ lel: 10 }, ['raise high location:kitchen1']],
    [{ lel: 24.9 }, ['raise high location:kitchen1']],
    [{ lel: 25 }, ['raise critical location:kitchen1']],
    [{ co: 299 }, ['clear critical location:kitchen1']],
    [{ co: 300 }, ['raise critical location:kitchen1']],
  ])('%j → %j', (fields, expected) => {
    expect(summary(run(gasRule, [[reading({ ts: T0, ...fields }), gas]]))).toEqual(expected);
  });

  it('an alarm event is critical; per-facility thresholds apply', () => {
    expect(summary(run(gasRule, [[event('alarm', T0), gas]]))).toEqual(['raise critical location:kitchen1']);
    const strict = context({ kind: 'gas', location: kitchen, overrides: { gas: { lelHighAtLeast: 5 } } });
    expect(summary(run(gasRule, [[reading({ ts: T0, lel: 6 }), strict]]))).toEqual(['raise high location:kitchen1']);
  });
});

describe('gas rule: carbon monoxide, time-weighted (EN 50291-1)', () => {
  const minute = 60_000;
  /** Raises as [minutes after the first sample, priority, detail] for `spans` of [minutes, ppm] every `stepS`. */
  function raises(spans: Array<[number, number]>, stepS = 30, ctx = gas) {
    const inputs: Array<[RuleInput, typeof ctx]> = [];
    let t = 0;
    for (const [minutes, ppm] of spans) {
      for (const end = t + minutes * minute; t < end; t += stepS * 1000)
        inputs.push([reading({ ts: T0 + t, co: ppm }), ctx]);
    }
    return run(gasRule, inputs)
      .filter((i) => i.action === 'raise')
      .map((i) => [(i.occurredAt - T0) / minute, i.priority, i.detail]);
  }
  const HIGH = 'carbon monoxide averaging 50 ppm or more over 1 h';
  const CRITICAL = 'carbon monoxide averaging 100 ppm or more over 10 min';

  it.each([
    ['30 ppm for 120 min: never', [[120, 30]], []],
    ['50 ppm: not before 60 min, by 90 min', [[90, 50]], [[60, 'high', HIGH]]],
    ['49 ppm for 120 min: never', [[120, 49]], []],
    ['100 ppm: not before 10 min, by 40 min', [[40, 100]], [[10, 'critical', CRITICAL]]],
    ['300 ppm: at once', [[3, 300]], [[0, 'critical', 'carbon monoxide at 300 ppm or more']]],
    [
      'cooking, 30 to 50 ppm for 20 min, then aired',
      [
        [10, 30],
        [10, 50],
        [60, 5],
      ],
      [],
    ],
    [
      '150 ppm for 5 min, then aired',
      [
        [5, 150],
        [30, 0],
      ],
      [],
    ],
  ] as Array<[string, Array<[number, number]>, unknown[]]>)('%s', (_name, spans, expected) => {
    expect(raises(spans)).toEqual(expected);
  });

  it('a level that swings around 100 ppm still raises: the average counts, not every sample', () => {
    const swings: Array<[number, number]> = [];
    for (let k = 0; k < 20; k++) swings.push([1, k % 2 === 0 ? 40 : 160]);
    expect(raises(swings)[0]).toEqual([10, 'critical', CRITICAL]);
  });

  it('judges on the samples own times: a detector reporting every 5 min, and one long silent', () => {
    const sparse = context({ kind: 'gas', resident: null, location: kitchen, device: { expectedIntervalS: 300 } });
    expect(raises([[15, 100]], 300, sparse)[0]).toEqual([10, 'critical', CRITICAL]);
    // Every 20 min with 1-minute samples expected: the silences count as nothing measured.
    const silent = context({ kind: 'gas', resident: null, location: kitchen, device: { expectedIntervalS: 60 } });
    expect(raises([[60, 120]], 1200, silent)).toEqual([]);
  });

  it('a 5-minute episode inside one batched upload raises critical; cleared once the 10-min average is low', () => {
    const samples = [...Array(60).keys()].map((k) => ({ ts: T0 + k * 15_000, co: k < 20 ? 320 : 5 }));
    const intents = run(
      gasRule,
      batch(samples).map((input) => [input, gas]),
    );
    expect(intents.map((i) => [i.action, i.priority, (i.occurredAt - T0) / 1000])).toEqual([
      ['raise', 'critical', 0],
      // 320 ppm for 300 s keeps the 10-min average at 100 ppm or more until just before 720 s.
      ['clear', 'critical', 720],
    ]);
  });

  it('a high alert clears once the hour average is below 50 ppm again; windows are configurable', () => {
    const inputs: Array<[RuleInput, typeof gas]> = [];
    for (let m = 0; m <= 80; m++) inputs.push([reading({ ts: T0 + m * minute, co: m < 65 ? 60 : 0 }), gas]);
    expect(run(gasRule, inputs).map((i) => [i.action, i.priority, (i.occurredAt - T0) / minute])).toEqual([
      ['clear', 'critical', 0], // the first calm sample after a start: an alert may be open from before
      ['raise', 'high', 50],
      ['clear', 'high', 76],
    ]);
    const quick = context({ kind: 'gas', location: kitchen, overrides: { gas: { coHighWindowMs: 15 * minute } } });
    expect(raises([[20, 50]], 60, quick)[0]).toEqual([
      15,
      'high',
      'carbon monoxide averaging 50 ppm or more over 15 min',
    ]);
  });
});

describe('electrical rule', () => {
  it.each([
    [{ residualMa: 299 }, ['clear high device:el1']],
    [{ residualMa: 300 }, ['raise high device:el1']],
    [{ cableTemp: 69.9 }, ['clear high device:el1']],
    [{ cableTemp: 70 }, ['raise high device:el1']],
    [{ currentA: 900 }, []],
  ])('%j → %j', (fields, expected) => {
    expect(summary(run(electricalRule, [[reading({ ts: T0, ...fields }), board]]))).toEqual(expected);
  });

  it('clears only when residual current and cable temperature are both safe', () => {
    const intents = run(electricalRule, [
      [reading({ ts: T0, residualMa: 400, cableTemp: 75 }), board],
      [reading({ ts: T0 + 1000, residualMa: 10, cableTemp: 75 }), board],
      [reading({ ts: T0 + 2000, residualMa: 10, cableTemp: 40 }), board],
      [event('alarm', T0 + 3000), board],
    ]);
    expect(summary(intents)).toEqual(['raise high device:el1', 'clear high device:el1', 'raise high device:el1']);
    expect(intents.map((i) => i.detail)).toEqual([
      'residual current at 300 mA or more',
      'electrical readings back to normal',
      'electrical monitor alarm',
    ]);
  });
});
