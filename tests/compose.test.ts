import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configFromEnv as alertsConfig } from '@vigil/alerts';
import { configFromEnv as apiConfig } from '@vigil/api';
import { configFromEnv as gatewayConfig } from '@vigil/gateway';
import { configFromEnv as hubConfig } from '@vigil/hub';
import { configFromEnv as ingestConfig } from '@vigil/ingest';
import { buildProgram } from '@vigil/cli';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}

/** Replaces `${VAR:?msg}` / `${VAR:-default}` / `${VAR}` as `docker compose` would, with a stand-in value. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_, name: string, fallback?: string) =>
    fallback !== undefined && !value.includes(`${name}:?`) ? fallback : `test-${name.toLowerCase()}`,
  );
}

/** Runs a config parser on an env and returns which variables it read (a Proxy records every look-up). */
function readKeys(parse: (env: NodeJS.ProcessEnv) => unknown, env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const proxy = new Proxy(env, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  parse(proxy);
  return read;
}

const PARSERS: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  gateway: gatewayConfig,
  ingest: ingestConfig,
  alerts: alertsConfig,
  api: apiConfig,
  hub: hubConfig,
};
/** Read by every process outside its service config (the logger). */
const COMMON = new Set(['VIGIL_LOG_LEVEL']);

describe('docker-compose.yml', async () => {
  const compose = parse(await readFile(new URL('../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;
  const env = (name: string) =>
    Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

  it('runs the production topology on the official images', () => {
    expect(services.timescaledb?.image).toMatch(/^timescale\/timescaledb:[\d.]+-pg15$/);
    expect(services.upstream?.image).toMatch(/^eclipse-mosquitto:2/);
    expect(services.emqx?.image).toMatch(/^emqx\/emqx:5/);
    for (const name of ['migrate', ...Object.keys(PARSERS)]) expect(services[name]?.build, name).toBe('.');
  });

  it('starts each Vigil container with a real `vigil` subcommand', async () => {
    const commands = new Set((await buildProgram()).commands.map((c) => c.name()));
    for (const name of ['migrate', ...Object.keys(PARSERS)]) {
      expect(commands, `${name}: ${services[name]!.command}`).toContain(services[name]!.command![0]);
    }
  });

  it.each(Object.keys(PARSERS))('gives %s only variables its config schema reads, and valid values', (name) => {
    const vars = env(name);
    const read = readKeys(PARSERS[name]!, vars);
    const unknown = Object.keys(vars).filter((key) => !read.has(key) && !COMMON.has(key));
    expect(unknown, `${name} sets variables its code never reads`).toEqual([]);
  });

  it('publishes the ports the services listen on', () => {
    expect(gatewayConfig(env('gateway')).port).toBe(1883);
    expect(services.gateway!.ports).toContain('1883:1883');
    expect(apiConfig(env('api')).port).toBe(8080);
    expect(services.api!.ports).toContain('8080:8080');
  });

  it('points every service at the TimescaleDB service and the workers at the gateway', () => {
    for (const name of ['migrate', ...Object.keys(PARSERS)])
      expect(env(name).DATABASE_URL).toMatch(/@timescaledb:5432\/vigil$/);
    for (const name of ['ingest', 'alerts', 'api']) expect(env(name).VIGIL_MQTT_URL).toBe('mqtt://gateway:1883');
    expect(env('gateway').VIGIL_UPSTREAM_URL).toBe('mqtt://upstream:1883');
  });
});
