import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  parseOverrides,
  resolveSettings,
  ruleOverridesSchema,
  ruleSettingsSchema,
} from './settings.js';

describe('rule settings', () => {
  it('defaults are the values of docs/rules.md "Settings and overrides" and the full schema fills them in', () => {
    expect(ruleSettingsSchema.parse({})).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.vitals).toMatchObject({ hrBelow: 40, hrAbove: 130, spo2Below: 90, sustainMs: 60_000 });
    expect(DEFAULT_SETTINGS.night).toEqual({ start: '22:00', end: '06:00' });
    expect(DEFAULT_SETTINGS.sos.cancelWindowMs).toBe(30_000);
  });

  it('resident overrides win over facility overrides, which win over defaults, leaf by leaf', () => {
    const settings = resolveSettings(
      { vitals: { hrAbove: 140, hrBelow: 45 }, night: { start: '21:30' } },
      { vitals: { hrAbove: 150 } },
    );
    expect(settings.vitals.hrAbove).toBe(150);
    expect(settings.vitals.hrBelow).toBe(45);
    expect(settings.vitals.spo2Below).toBe(90);
    expect(settings.night).toEqual({ start: '21:30', end: '06:00' });
    expect(DEFAULT_SETTINGS.vitals.hrAbove).toBe(130);
  });

  it.each([
    [null, []],
    [undefined, []],
    [[], ['overrides must be an object']],
    [{ nope: {} }, ['nope: unknown rule setting']],
    [{ vitals: 3 }, ['vitals: must be an object']],
    [{ vitals: { hrAbove: 400 } }, ['vitals.hrAbove:']],
    [{ vitals: { hrAboove: 140 } }, ['vitals.hrAboove: unknown setting']],
    [{ night: { start: '24:00' } }, ['night.start: must be HH:MM (24 h)']],
    [{ sos: { cancelWindowMs: 1.5 } }, ['sos.cancelWindowMs: must be whole milliseconds']],
  ])('lenient parse of %j reports %j', (value, expected) => {
    const { issues } = parseOverrides(value);
    expect(issues).toHaveLength(expected.length);
    expected.forEach((prefix, i) => expect(issues[i]).toContain(prefix));
  });

  it('an invalid leaf is dropped, the valid ones are kept', () => {
    const settings = resolveSettings({}, { vitals: { hrAbove: 'fast', hrBelow: 35 } });
    expect(settings.vitals.hrAbove).toBe(130);
    expect(settings.vitals.hrBelow).toBe(35);
  });

  it('the strict schema refuses what the lenient parse drops', () => {
    expect(ruleOverridesSchema.safeParse({ vitals: { hrAbove: 140 } }).success).toBe(true);
    expect(ruleOverridesSchema.safeParse({ vitals: { hrAboove: 140 } }).success).toBe(false);
    expect(ruleOverridesSchema.safeParse({ gas: { lelHighAtLeast: -1 } }).success).toBe(false);
  });
});
