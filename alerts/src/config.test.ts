import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('configFromEnv: VIGIL_ALERTS_FACILITIES', () => {
  it('is every facility when unset, else the listed ones', () => {
    expect(configFromEnv({}).facilities).toBeUndefined();
    expect(configFromEnv({ VIGIL_ALERTS_FACILITIES: 'fa, fb' }).facilities).toEqual(['fa', 'fb']);
  });

  it('refuses an empty entry or an id that is not one', () => {
    expect(() => configFromEnv({ VIGIL_ALERTS_FACILITIES: 'fa,,fb' })).toThrow(/VIGIL_ALERTS_FACILITIES/);
    expect(() => configFromEnv({ VIGIL_ALERTS_FACILITIES: 'fa/b' })).toThrow(/VIGIL_ALERTS_FACILITIES/);
  });
});
