import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('dispatch configuration from the environment', () => {
  it('serves every station unless VIGIL_DISPATCH_STATION names one', () => {
    expect(configFromEnv({}).station).toBeUndefined();
    expect(configFromEnv({ VIGIL_DISPATCH_STATION: 'st-chaoyang' }).station).toBe('st-chaoyang');
    expect(() => configFromEnv({ VIGIL_DISPATCH_STATION: 'not an id!' })).toThrow(/VIGIL_DISPATCH_STATION/);
  });
});
