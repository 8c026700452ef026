import { describe, expect, it } from 'vitest';
import { MQTT_TUNING_DEFAULTS } from '@vigil/core';
import { configFromEnv } from './config.js';

describe('configFromEnv', () => {
  it('defaults to the embedded ports of docs/ARCHITECTURE.md "Interfaces" and leaves database and secret to the CLI', () => {
    expect(configFromEnv({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: undefined,
      trustedProxies: [],
      databaseUrl: undefined,
      mqtt: {
        url: 'mqtt://127.0.0.1:1883',
        username: 'svc-api',
        password: undefined,
        clientId: undefined,
        instanceId: undefined,
        tuning: MQTT_TUNING_DEFAULTS,
      },
      commandTimeoutMs: 5000,
    });
  });

  it('reads every variable', () => {
    const config = configFromEnv({
      VIGIL_HTTP_HOST: '0.0.0.0',
      VIGIL_HTTP_PORT: '9090',
      VIGIL_PUBLIC_URL: 'https://vigil.example.org',
      VIGIL_TRUSTED_PROXIES: '10.0.0.5, fd00::/8,192.168.1.0/24',
      DATABASE_URL: 'postgres://db/vigil',
      VIGIL_MQTT_PORT: '1884',
      VIGIL_API_MQTT_USERNAME: 'svc-api-2',
      VIGIL_API_MQTT_PASSWORD: 's3cret',
      VIGIL_API_MQTT_CLIENT_ID: 'api-2',
      VIGIL_API_MQTT_INSTANCE: 'host-7',
      VIGIL_MQTT_KEEPALIVE_S: '15',
      VIGIL_MQTT_CONNECT_TIMEOUT_MS: '5000',
      VIGIL_MQTT_RECONNECT_MIN_MS: '200',
      VIGIL_MQTT_RECONNECT_MAX_MS: '4000',
      VIGIL_API_COMMAND_TIMEOUT_MS: '8000',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9090,
      publicUrl: 'https://vigil.example.org',
      trustedProxies: ['10.0.0.5', 'fd00::/8', '192.168.1.0/24'],
      databaseUrl: 'postgres://db/vigil',
      mqtt: {
        url: 'mqtt://127.0.0.1:1884',
        username: 'svc-api-2',
        password: 's3cret',
        clientId: 'api-2',
        instanceId: 'host-7',
        tuning: { keepaliveS: 15, connectTimeoutMs: 5000, reconnectMinMs: 200, reconnectMaxMs: 4000 },
      },
      commandTimeoutMs: 8000,
    });
    expect(configFromEnv({ VIGIL_MQTT_URL: 'mqtts://broker:8883' }).mqtt.url).toBe('mqtts://broker:8883');
  });

  it('names every bad variable', () => {
    const bad = {
      VIGIL_HTTP_PORT: 'eighty',
      VIGIL_PUBLIC_URL: 'not a url',
      VIGIL_TRUSTED_PROXIES: '10.0.0.0/33,proxy.local',
      VIGIL_MQTT_KEEPALIVE_S: '1',
    };
    expect(() => configFromEnv(bad)).toThrow(
      expect.objectContaining({
        code: 'VIGIL_ERR_CONFIG_INVALID',
        message: expect.stringMatching(
          /VIGIL_HTTP_PORT: .*\n.*VIGIL_PUBLIC_URL: .*\n.*VIGIL_TRUSTED_PROXIES.*IP addresses or CIDR.*\n.*VIGIL_MQTT_KEEPALIVE_S: /s,
        ),
      }),
    );
  });
});
