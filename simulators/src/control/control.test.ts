import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../fleet.js';
import { recordingLinks } from '../recording-link.js';
import type { DeviceCredentials } from '../sim-device.js';
import { findRunningFleet, playOnRunningFleet } from './client.js';
import { readControlFile } from './file.js';
import { startControlServer, type ControlServer } from './server.js';

const devices: DeviceCredentials[] = [
  { id: 'oak-btn-001', facility: 'oak', kind: 'button', secret: 's' },
  { id: 'oak-btn-002', facility: 'oak', kind: 'button', secret: 's' },
  { id: 'oak-smk-room-001', facility: 'oak', kind: 'smoke', secret: 's' },
];

describe('simulator control endpoint', () => {
  let dir: string;
  let file: string;
  let fleet: Fleet;
  let server: ControlServer;
  const recorder = recordingLinks();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-control-'));
    file = join(dir, 'simulator-control.json');
    fleet = await startFleet({ mqttUrl: 'mqtt://unused', devices, links: recorder.factory });
    server = await startControlServer({ fleet, facility: 'oak', file });
  });
  afterAll(async () => {
    await server?.close();
    await fleet?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a control file only its owner can read, naming the facility', async () => {
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await findRunningFleet(file)).toMatchObject({ facility: 'oak', url: server.url, pid: process.pid });
  });

  it("plays a scenario on the fleet's own device, by id without the facility prefix", async () => {
    const control = (await findRunningFleet(file))!;
    const run = await playOnRunningFleet(control, { scenario: 'sos', device: 'btn-002' });
    expect(run).toMatchObject({ device: 'oak-btn-002', scenario: 'sos', messages: 1, cancelled: false });
    const sos = recorder.messages.filter((m) => m.kind === 'event' && m.device === 'oak-btn-002');
    expect(sos.map((m) => JSON.parse(m.payload).type)).toEqual(['sos']);
  });

  it('answers with the typed error of an unknown device, a wrong kind and a bad request', async () => {
    const control = (await findRunningFleet(file))!;
    await expect(playOnRunningFleet(control, { scenario: 'fall', device: 'nope' })).rejects.toMatchObject({
      code: 'VIGIL_ERR_SIM_UNKNOWN_DEVICE',
      status: 404,
    });
    await expect(playOnRunningFleet(control, { scenario: 'fall' })).rejects.toMatchObject({
      code: 'VIGIL_ERR_SIM_SCENARIO_KIND',
      message: expect.stringContaining('facility oak has no wristband'),
    });
    await expect(playOnRunningFleet(control, { scenario: 'sos', speed: -1 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_SIM_INVALID_OPTIONS',
    });
  });

  it('refuses a request without the token', async () => {
    const control = (await readControlFile(file))!;
    await expect(playOnRunningFleet({ ...control, token: 'x'.repeat(43) }, { scenario: 'sos' })).rejects.toMatchObject({
      code: 'VIGIL_ERR_SIM_CONTROL_UNAUTHORIZED',
      status: 401,
    });
    const anonymous = await fetch(`${server.url}/v1/scenarios`, { method: 'POST', body: '{"scenario":"sos"}' });
    expect(anonymous.status).toBe(401);
    expect(recorder.messages.filter((m) => m.kind === 'event')).toHaveLength(1);
  });

  it('finds no running fleet from a file whose process is gone, or whose endpoint does not answer', async () => {
    const control = (await readControlFile(file))!;
    const stale = join(dir, 'stale.json');
    await writeFile(stale, JSON.stringify({ ...control, pid: 2 ** 22 + 1 }));
    expect(await findRunningFleet(stale)).toBeUndefined();
    await writeFile(stale, JSON.stringify({ ...control, url: 'http://127.0.0.1:9' }));
    expect(await findRunningFleet(stale)).toBeUndefined();
    expect(await findRunningFleet(join(dir, 'none.json'))).toBeUndefined();
  });

  it('removes its control file when it closes', async () => {
    await server.close();
    expect(await readControlFile(file)).toBeUndefined();
    expect(await findRunningFleet(file)).toBeUndefined();
  });
});
