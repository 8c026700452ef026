import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('configFromEnv', () => {
  it('has working defaults and reads every variable', () => {
    expect(configFromEnv({})).toMatchObject({
      mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'svc-ingest' },
      batchSize: 2000,
      flushMs: 100,
      writeMethod: 'unnest',
      retentionDays: 180,
      cron: true,
    });
    expect(
      configFromEnv({ VIGIL_MQTT_PORT: '1999', VIGIL_INGEST_CRON: '0', VIGIL_INGEST_SHARE_GROUP: 'g1' }),
    ).toMatchObject({ mqtt: { url: 'mqtt://127.0.0.1:1999' }, cron: false, shareGroup: 'g1' });
  });

  it('names every bad variable', () => {
    expect(() =>
      configFromEnv({
        VIGIL_INGEST_BATCH_SIZE: '0',
        VIGIL_INGEST_ROLLUP_CRON: 'every hour',
        VIGIL_INGEST_WRITE_METHOD: 'x',
      }),
    ).toThrow(/VIGIL_INGEST_BATCH_SIZE[\s\S]*VIGIL_INGEST_WRITE_METHOD[\s\S]*VIGIL_INGEST_ROLLUP_CRON/);
  });
});
