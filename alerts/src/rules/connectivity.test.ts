import { describe, expect, it } from 'vitest';
import { connectivityRule } from './connectivity.js';
import { deviceOfflineRule } from './device-offline.js';
import type { RuleSettings } from './settings.js';
import { context, reading, status, T0 } from './test-kit.js';
import type { Rule, RuleContext, RuleInput } from './types.js';

// Door sensors reporting every 10 min (silent after 30 min), or every 10 s.
const device = (id: string, now: number, expectedIntervalS = 600) =>
  context({ kind: 'door', device: { id, expectedIntervalS }, now });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `dr${i + 1}`);

/** Both rules fed the same messages and ticks, as the engine feeds them: what each raises, by tick time. */
function facility() {
  const rules = [deviceOfflineRule, connectivityRule] as Rule<unknown, RuleSettings>[];
  const states = rules.map((rule) => rule.initialState());
  const feed = (input: RuleInput, ctx: RuleContext<RuleSettings>) =>
    rules.flatMap((rule, i) => rule.evaluate(input, ctx, states[i]));
  const tick = (now: number) =>
    rules.flatMap((rule, i) => rule.tick!(now, states[i])).map((x) => `${x.action} ${x.rule} ${x.subject} ${x.detail}`);
  return { feed, tick };
}

describe('connectivity rule (with device_offline)', () => {
  it('five devices losing their connection together make one alert with the count, none of their own', () => {
    const f = facility();
    for (const id of ids(6)) f.feed(reading({ ts: T0, open: false }), device(id, T0));
    f.tick(T0); // the restart-safe clears of a fresh state
    for (const id of ids(5)) f.feed(status({ online: false }, true), device(id, T0 + 1_000));
    expect(f.tick(T0 + 30_999)).toEqual([]); // within the grace
    expect(f.tick(T0 + 31_000)).toEqual([
      'raise connectivity facility 5 devices offline together (network or gateway?)',
    ]);
    expect(f.tick(T0 + 120_000)).toEqual([]); // the sixth is still heard from: nothing more
    // Two come back: the count falls below five, the alert clears and the three left raise on their own.
    f.feed(status({ online: true }), device('dr1', T0 + 130_000));
    f.feed(status({ online: true }), device('dr2', T0 + 130_000));
    expect(f.tick(T0 + 131_000)).toEqual([
      'raise device_offline device:dr3 device offline (connection lost)',
      'raise device_offline device:dr4 device offline (connection lost)',
      'raise device_offline device:dr5 device offline (connection lost)',
      'clear connectivity facility devices back online',
    ]);
  });

  it('the count follows devices that fall silent while the alert is open', () => {
    const f = facility();
    for (const id of ids(7)) f.feed(reading({ ts: T0, open: false }), device(id, T0, 10));
    f.tick(T0);
    for (const id of ids(7).slice(0, 5)) {
      f.feed(reading({ ts: T0 + 20_000, open: false }), device(id, T0 + 20_000, 10));
    }
    // dr6 and dr7 fall silent at 30 s, the others at 50 s: five at 50 s make the group, then it grows to seven.
    expect(f.tick(T0 + 40_000)).toEqual([]);
    expect(f.tick(T0 + 50_001)).toEqual([
      'raise connectivity facility 7 devices offline together (network or gateway?)',
    ]);
  });

  it('fewer than minDevices down raise each on its own once the window has passed; settings change the group', () => {
    const f = facility();
    for (const id of ids(4)) f.feed(status({ online: false }, true), device(id, T0));
    // A connectivity alert from before a restart is cleared only once the devices had their grace and window.
    expect(f.tick(T0)).toEqual([]);
    expect(f.tick(T0 + 59_999)).toEqual([]);
    expect(f.tick(T0 + 60_000)).toEqual([
      ...ids(4).map((id) => `raise device_offline device:${id} device offline (connection lost)`),
      'clear connectivity facility devices back online',
    ]);
    expect(f.tick(T0 + 61_000)).toEqual([]);

    const small = facility();
    const strict = (id: string) =>
      context({ kind: 'door', device: { id }, now: T0, overrides: { connectivity: { minDevices: 2 } } });
    for (const id of ids(2)) small.feed(status({ online: false }, true), strict(id));
    small.tick(T0);
    expect(small.tick(T0 + 30_000)).toEqual([
      'raise connectivity facility 2 devices offline together (network or gateway?)',
    ]);
  });
});
