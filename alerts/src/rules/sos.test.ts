import { describe, expect, it } from 'vitest';
import { sosRule } from './sos.js';
import { context, event, run, summary, T0 } from './test-kit.js';

describe('sos rule', () => {
  const button = context({ kind: 'button' });
  const wristband = context({ kind: 'wristband' });

  it.each([
    ['cancel at 30 s downgrades', 30_000, ['raise critical resident:r1', 'update high resident:r1']],
    ['cancel at 30.001 s does not', 30_001, ['raise critical resident:r1']],
    ['cancel at once downgrades', 0, ['raise critical resident:r1', 'update high resident:r1']],
    ['cancel before the press (device time) does not', -1, ['raise critical resident:r1']],
  ])('%s', (_name, cancelAfter, expected) => {
    const intents = run(sosRule, [
      [event('sos', T0), button],
      [event('cancel', T0 + cancelAfter), button],
    ]);
    expect(summary(intents)).toEqual(expected);
  });

  it('the downgrade says why, and a second cancel changes nothing', () => {
    const intents = run(sosRule, [
      [event('sos', T0), wristband],
      [event('cancel', T0 + 10_000), button],
      [event('cancel', T0 + 11_000), button],
    ]);
    expect(intents.map((i) => i.detail)).toEqual([
      'SOS: pressed on the wristband',
      'SOS cancelled by the resident within 30 s',
    ]);
  });

  it('a cancel without an SOS, or a later SOS, is judged from the latest press', () => {
    expect(run(sosRule, [[event('cancel', T0), button]])).toEqual([]);
    const intents = run(sosRule, [
      [event('sos', T0), button],
      [event('sos', T0 + 60_000), button],
      [event('cancel', T0 + 80_000), button],
    ]);
    expect(summary(intents)).toEqual([
      'raise critical resident:r1',
      'raise critical resident:r1',
      'update high resident:r1',
    ]);
  });

  it('the cancel window is a setting', () => {
    const slow = context({ kind: 'button', overrides: { sos: { cancelWindowMs: 60_000 } } });
    expect(
      summary(
        run(sosRule, [
          [event('sos', T0), slow],
          [event('cancel', T0 + 45_000), slow],
        ]),
      ),
    ).toEqual(['raise critical resident:r1', 'update high resident:r1']);
  });

  it("a button without a resident raises for its room; another subject's cancel does not touch it", () => {
    const roomButton = context({
      kind: 'button',
      resident: null,
      device: { id: 'b2' },
      location: { id: 'room7', kind: 'room' },
    });
    const intents = run(sosRule, [
      [event('sos', T0), roomButton],
      [event('cancel', T0 + 1000), button],
    ]);
    expect(summary(intents)).toEqual(['raise critical location:room7']);
  });
});
