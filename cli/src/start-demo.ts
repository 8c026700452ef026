import { generateSecret, type Logger, type Pool } from '@vigil/core';
import { addUser, getUser, setUserPassword, type UserRole } from '@vigil/store';

export interface Closable {
  close(): Promise<void>;
}

export interface DemoOptions {
  pool: Pool;
  mqttUrl: string;
  /** PEM CA of a TLS-only gateway. */
  mqttCa?: Buffer;
  facility: string;
  residents: number;
  /** 0: no scenarios of its own (`vigil simulate --scenario` still plays on the fleet). */
  scenarioEveryMs: number;
  log: Logger;
}

/**
 * The demo of `vigil start --simulate`: a seeded facility whose devices publish over real MQTT, a
 * scenario from the library every few minutes, and the control endpoint through which `vigil simulate
 * --scenario` plays on these devices instead of connecting them a second time (docs/simulators.md).
 * Adds what it starts to `parts`, in start order, for the caller to close.
 */
export async function startDemo(
  o: DemoOptions,
  parts: Array<[string, Closable]>,
): Promise<{ facility: string; region: string; devices: number }> {
  const { controlFilePath, seedDemoFacility, startControlServer, startFleet, startScenarioRotation } =
    await import('@vigil/simulators');
  const demo = await seedDemoFacility(o.pool, { facility: o.facility, residents: o.residents, logger: o.log });
  const fleet = await startFleet({ mqttUrl: o.mqttUrl, ca: o.mqttCa, devices: demo.devices, logger: o.log });
  parts.push(['simulated devices', fleet]);
  if (o.scenarioEveryMs > 0) {
    parts.push(['demo scenarios', startScenarioRotation({ fleet, everyMs: o.scenarioEveryMs, logger: o.log })]);
  }
  const file = await controlFilePath();
  parts.push(['simulator control', await startControlServer({ fleet, facility: demo.facility, file, logger: o.log })]);
  return { facility: demo.facility, region: demo.region, devices: demo.devices.length };
}

/**
 * The demo's people: the facility's staff and the district's regulator; they sign in with a password made at
 * each start (printed by `vigil start`).
 */
const DEMO_STAFF: { id: string; name: string; role: UserRole }[] = [
  { id: 'liming', name: '李明', role: 'safety-officer' },
  { id: 'wangfang', name: '王芳', role: 'caregiver' },
  { id: 'zhaomin', name: '赵敏', role: 'regulator' },
];

export async function seedDemoStaff(pool: Pool, demo: { facility: string; region: string }) {
  return Promise.all(
    DEMO_STAFF.map(async (person) => {
      const password = generateSecret().slice(0, 16);
      const scope = person.role === 'regulator' ? { region: demo.region } : { facility: demo.facility };
      if (await getUser(pool, person.id)) await setUserPassword(pool, person.id, password, new Date());
      else await addUser(pool, { ...person, ...scope, password });
      return { ...person, password };
    }),
  );
}
