import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.js';

const base = { DATABASE_URL: 'postgres://x/y', VIGIL_UPSTREAM_URL: 'mqtts://region:8883' };

describe('region uplink configuration', () => {
  it('reports for a facility, without raw messages unless opted in, over TLS with a CA file', () => {
    const options = configFromEnv({ ...base, VIGIL_REGION_FACILITY: 'sunrise', VIGIL_UPSTREAM_CA_FILE: '/ca.pem' });
    expect(options.upstream).toMatchObject({ url: 'mqtts://region:8883', caFile: '/ca.pem' });
    expect(options.region).toEqual({
      facility: 'sunrise',
      summaryIntervalS: 60,
      shareRaw: false,
      coverageWindowH: 24,
      coverageEveryS: 900,
    });
    expect(
      configFromEnv({ ...base, VIGIL_REGION_FACILITY: 'sunrise', VIGIL_REGION_COVERAGE_WINDOW_H: '168' }).region,
    ).toMatchObject({ coverageWindowH: 168 });
    expect(
      configFromEnv({ ...base, VIGIL_REGION_FACILITY: 'sunrise', VIGIL_REGION_SHARE_RAW: 'true' }).region,
    ).toMatchObject({ shareRaw: true });
  });

  it('forwards raw messages only, as before, without VIGIL_REGION_FACILITY', () => {
    expect(configFromEnv(base).region).toBeUndefined();
  });

  it('refuses a facility id that is not one', () => {
    expect(() => configFromEnv({ ...base, VIGIL_REGION_FACILITY: 'sun rise' })).toThrow(/VIGIL_REGION_FACILITY/);
  });
});
