import { ALERT_RULES } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { RULES } from './index.js';
import { context, event, reading, status, T0 } from './test-kit.js';

describe('RULES', () => {
  it('has one rule for every alert rule of the contract but those the engine raises itself, each once', () => {
    const names = RULES.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    const engines = ['drill', 'flood_control', 'notification_channel'];
    expect([...names].sort()).toEqual(ALERT_RULES.filter((name) => !engines.includes(name)).sort());
  });

  it('every rule accepts every kind of input without throwing, and tick intents carry a device', () => {
    const inputs = [reading({ ts: T0, hr: 70, battery: 50 }), event('alarm', T0), status({ online: false }, true)];
    for (const rule of RULES) {
      const state = rule.initialState();
      for (const kind of ['wristband', 'bedmat', 'smoke', 'gas', 'electrical', 'door', 'pir', 'button'] as const) {
        const ctx = context({ kind, location: { id: 'home1', kind: 'dwelling' } });
        rule.prime?.(ctx, null, state);
        for (const input of inputs)
          for (const intent of rule.evaluate(input, ctx, state)) expect(intent.rule).toBe(rule.name);
      }
      for (const intent of rule.tick?.(T0 + 30 * 86_400_000, state) ?? []) expect(intent.device).toBe('d1');
    }
  });
});
