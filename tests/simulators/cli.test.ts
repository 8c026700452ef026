import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopicFilter } from '@vigil/protocol';
import { SCENARIO_NAMES } from '@vigil/simulators';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { exited, spawnVigil, waitFor } from '../helpers/processes.js';
import { observe } from './observer.js';
import { buildProgram } from '@vigil/cli';

describe('vigil simulate', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let service: { id: string; secret: string };
  const clients: MqttClient[] = [];
  const env = () => ({ DATABASE_URL: db.url, VIGIL_MQTT_URL: gateway.url, VIGIL_LOG_LEVEL: 'warn' });

  async function subscribe(filter: string) {
    const { client, messages } = await observe(gateway.url, service, filter, `svc-cli-${clients.length}`);
    clients.push(client);
    return messages;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db.url);
    service = await upsertServiceAccount(db.pool, 'svc-cli', 'ingest');
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await gateway?.close();
    await db?.drop();
  });

  it('--help lists every scenario and the environment it reads', async () => {
    let help = '';
    const program = await buildProgram('simulate');
    program.commands.find((c) => c.name() === 'simulate')!.configureOutput({ writeOut: (text) => void (help += text) });
    await expect(program.parseAsync(['node', 'vigil', 'simulate', '--help'])).rejects.toMatchObject({ exitCode: 0 });
    for (const name of SCENARIO_NAMES) expect(help).toContain(`  ${name} `);
    expect(help).toMatch(/VIGIL_MQTT_URL/);
  });

  it('seeds, connects, plays a scenario and exits cleanly with --exit', async () => {
    const events = await subscribe(deviceTopicFilter('event', 'cli-sim'));
    const { child, output } = spawnVigil(
      ['simulate', '--facility', 'cli-sim', '--residents', '2', '--scenario', 'sos', '--device', 'btn-002', '--exit'],
      env(),
    );
    expect(await exited(child)).toBe(0);
    expect(output()).toMatch(/facility "cli-sim" .*2 residents/);
    expect(output()).toMatch(/scenario sos on cli-sim-btn-002 \(button\)/);
    expect(output()).toMatch(/scenario sos played: 1 messages/);
    const sos = await waitFor('the sos event', () => events.find((e) => e.topic.endsWith('/cli-sim-btn-002/event')));
    expect(JSON.parse(sos.payload)).toMatchObject({ type: 'sos' });
    // A clean stop says so on every device's retained status.
    const statuses = await subscribe(deviceTopicFilter('status', 'cli-sim'));
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM devices WHERE facility_id = 'cli-sim'`);
    await waitFor('every retained status', () => statuses.length >= rows[0].n);
    expect(statuses.every((s) => s.retain && JSON.parse(s.payload).online === false)).toBe(true);
  });

  it('runs until Ctrl-C, then stops cleanly', async () => {
    const { child, output } = spawnVigil(['simulate', '--facility', 'cli-sim', '--residents', '1'], env());
    await waitFor('the fleet to run', () => output().includes('simulating; Ctrl-C stops'), 30_000);
    expect(output()).toMatch(/\d+\/\d+ devices online/);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(output()).toMatch(/stopping/);
  });

  it('refuses an unknown device with a one-line error', async () => {
    const { child, output } = spawnVigil(
      ['simulate', '--facility', 'cli-sim', '--residents', '1', '--scenario', 'fall', '--device', 'nope'],
      env(),
    );
    expect(await exited(child)).toBe(1);
    expect(output()).toMatch(/VIGIL_ERR_SIM_UNKNOWN_DEVICE: device nope/);
  });
});
