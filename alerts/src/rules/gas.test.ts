import { describe, expect, it } from 'vitest';
import { electricalRule } from './electrical.js';
import { gasRule } from './gas.js';
import { context, event, reading, run, summary, T0 } from './test-kit.js';

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
    [{ co: 49 }, ['clear critical location:kitchen1']],
    [{ co: 50 }, ['raise high location:kitchen1']],
    [{ co: 199 }, ['raise high location:kitchen1']],
    [{ co: 200 }, ['raise critical location:kitchen1']],
  ])('%j → %j', (fields, expected) => {
    expect(summary(run(gasRule, [[reading({ ts: T0, ...fields }), gas]]))).toEqual(expected);
  });

  it('rises from high to critical, never back down, and clears when safe', () => {
    const intents = run(gasRule, [
      [reading({ ts: T0, co: 60 }), gas],
      [reading({ ts: T0 + 1000, co: 250 }), gas],
      [reading({ ts: T0 + 2000, co: 60 }), gas],
      [reading({ ts: T0 + 3000, co: 10 }), gas],
    ]);
    expect(summary(intents)).toEqual([
      'raise high location:kitchen1',
      'raise critical location:kitchen1',
      'clear critical location:kitchen1',
    ]);
    expect(intents.map((i) => i.detail)).toEqual([
      'carbon monoxide at 50 ppm or more',
      'carbon monoxide at 200 ppm or more',
      'gas levels back to normal',
    ]);
  });

  it('an alarm event is critical; per-facility thresholds apply', () => {
    expect(summary(run(gasRule, [[event('alarm', T0), gas]]))).toEqual(['raise critical location:kitchen1']);
    const strict = context({ kind: 'gas', location: kitchen, overrides: { gas: { coHighAtLeast: 30 } } });
    expect(summary(run(gasRule, [[reading({ ts: T0, co: 35 }), strict]]))).toEqual(['raise high location:kitchen1']);
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
