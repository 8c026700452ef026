import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQTT_TUNING_DEFAULTS, mqttClient } from './config.js';

const tuning = {
  VIGIL_MQTT_KEEPALIVE_S: MQTT_TUNING_DEFAULTS.keepaliveS,
  VIGIL_MQTT_CONNECT_TIMEOUT_MS: MQTT_TUNING_DEFAULTS.connectTimeoutMs,
  VIGIL_MQTT_RECONNECT_MIN_MS: MQTT_TUNING_DEFAULTS.reconnectMinMs,
  VIGIL_MQTT_RECONNECT_MAX_MS: MQTT_TUNING_DEFAULTS.reconnectMaxMs,
};

describe('a service’s broker client from the environment', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-mqtt-ca-'));
    await writeFile(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('trusts the system’s CAs unless VIGIL_MQTT_CA names a file, which it reads at start-up', () => {
    expect(mqttClient(tuning)).toEqual({ tuning: MQTT_TUNING_DEFAULTS });
    const { ca } = mqttClient({ ...tuning, VIGIL_MQTT_CA: path.join(dir, 'ca.pem') });
    expect(ca?.toString()).toBe('-----BEGIN CERTIFICATE-----\n');
  });

  it('stops with VIGIL_ERR_CONFIG_INVALID naming the variable when the file cannot be read', () => {
    expect(() => mqttClient({ ...tuning, VIGIL_MQTT_CA: path.join(dir, 'missing.pem') })).toThrow(
      expect.objectContaining({ code: 'VIGIL_ERR_CONFIG_INVALID', message: expect.stringContaining('VIGIL_MQTT_CA') }),
    );
  });
});
