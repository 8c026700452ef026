import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

const base = { DATABASE_URL: 'postgres://x@localhost/vigil' };

describe('gateway TLS configuration from the environment', () => {
  it('has no TLS listener unless a certificate and key are given', () => {
    expect(configFromEnv(base).tls).toBeUndefined();
  });

  it('reads the listener: port 8883 by default, TLS-only and mTLS when asked', () => {
    expect(configFromEnv({ ...base, VIGIL_MQTT_TLS_CERT: 'c.pem', VIGIL_MQTT_TLS_KEY: 'k.pem' }).tls).toEqual({
      certFile: 'c.pem',
      keyFile: 'k.pem',
      port: 8883,
      requireClientCert: false,
      only: false,
    });
    const tls = configFromEnv({
      ...base,
      VIGIL_MQTT_TLS_CERT: 'c.pem',
      VIGIL_MQTT_TLS_KEY: 'k.pem',
      VIGIL_MQTT_TLS_CA: 'ca.pem',
      VIGIL_MQTT_TLS_HOST: '0.0.0.0',
      VIGIL_MQTT_TLS_PORT: '18883',
      VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT: 'true',
      VIGIL_MQTT_TLS_ONLY: '1',
    }).tls;
    expect(tls).toMatchObject({ host: '0.0.0.0', port: 18883, caFile: 'ca.pem', requireClientCert: true, only: true });
  });

  it.each([
    [{ VIGIL_MQTT_TLS_CERT: 'c.pem' }, /must be set together/],
    [{ VIGIL_MQTT_TLS_ONLY: 'true' }, /are required/],
    [{ VIGIL_MQTT_TLS_CERT: 'c.pem', VIGIL_MQTT_TLS_KEY: 'k.pem', VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT: 'yes' }, /needs/],
    [{ VIGIL_MQTT_TLS_ONLY: 'maybe' }, /VIGIL_MQTT_TLS_ONLY/],
  ])('refuses an incomplete or invalid TLS configuration (%o)', (env, message) => {
    expect(() => configFromEnv({ ...base, ...env })).toThrow(message);
  });
});
