import { describe, expect, it } from 'vitest';
import { fallRule } from './fall.js';
import { context, event, run, summary, T0 } from './test-kit.js';

describe('fall rule', () => {
  const wristband = context({ kind: 'wristband' });

  it.each([
    [0.7, ['raise critical resident:r1']],
    [0.69, []],
    [0.93, ['raise critical resident:r1']],
    [undefined, ['raise critical resident:r1']],
  ])('confidence %s → %j', (confidence, expected) => {
    const extra = confidence === undefined ? {} : { confidence };
    expect(summary(run(fallRule, [[event('fall', T0, extra), wristband]]))).toEqual(expected);
  });

  it('carries the ids, the device time and a short detail', () => {
    const [intent] = run(fallRule, [[event('fall', T0 - 5000, { confidence: 0.93 }), wristband]]);
    expect(intent).toEqual({
      action: 'raise',
      rule: 'fall',
      subject: 'resident:r1',
      priority: 'critical',
      detail: 'fall detected (confidence 0.93)',
      resident: 'r1',
      device: 'd1',
      location: 'room1',
      occurredAt: T0 - 5000,
    });
  });

  it('uses the facility or resident threshold', () => {
    const strict = context({ kind: 'wristband', overrides: { fall: { minConfidence: 0.9 } } });
    expect(run(fallRule, [[event('fall', T0, { confidence: 0.8 }), strict]])).toEqual([]);
    const off = context({ kind: 'wristband', overrides: { fall: { enabled: false } } });
    expect(run(fallRule, [[event('fall', T0, { confidence: 1 }), off]])).toEqual([]);
  });

  it('an unassigned wristband raises for the device; other events and kinds do nothing', () => {
    const loose = context({ kind: 'wristband', resident: null });
    expect(summary(run(fallRule, [[event('fall', T0), loose]]))).toEqual(['raise critical device:d1']);
    expect(run(fallRule, [[event('sos', T0), wristband]])).toEqual([]);
    expect(run(fallRule, [[event('fall', T0), context({ kind: 'bedmat' })]])).toEqual([]);
  });
});
