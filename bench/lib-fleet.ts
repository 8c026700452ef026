// What bench/gateway.ts and bench/homecare.ts share: brokers in child processes (bench/lib-gateway-child.ts),
// /proc usage, raw MQTT devices light enough to run thousands in one process (plain or TLS), fleet seeding.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import pg from 'pg';
import type { DeviceKind } from '@vigil/protocol';
import { upsertDevicesWithSharedSecret } from '@vigil/store';

const CHILD = fileURLToPath(new URL('./lib-gateway-child.ts', import.meta.url));
const CLK_TCK = 100;

export interface Creds {
  id: string;
  secret: string;
}

export interface Broker {
  child: ChildProcess;
  url: string;
  port: number;
  metrics(): Promise<Array<{ name: string; values: Array<{ value: number; labels: Record<string, string> }> }>>;
  close(): Promise<void>;
}

/**
 * A broker in its own process: 'full' is the Vigil gateway configured by `env` as `vigil gateway` is, 'bare'
 * is aedes with its defaults. BENCH_GATEWAY_CPU_PROF=<dir> writes V8 CPU profiles to <dir>/<mode>.
 */
export async function spawnBroker(mode: 'bare' | 'full', env: Record<string, string> = {}): Promise<Broker> {
  const profileDir = process.env.BENCH_GATEWAY_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, mode)}`] : [];
  const child = spawn(process.execPath, [...profile, '--conditions=vigil-source', '--import', 'tsx', CHILD, mode], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'error', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const [, port, url] = ((await lines.next()).value as string).split(' ');
  return {
    child,
    port: Number(port),
    url: url!,
    async metrics() {
      child.stdin!.write('metrics\n');
      return JSON.parse((await lines.next()).value as string);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.write('close\n');
      await exited;
    },
  };
}

/** CPU seconds (user + system) and RSS bytes of a process, from /proc. */
export async function usage(pid: number): Promise<{ cpu: number; rss: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpu: (Number(stat[11]) + Number(stat[12])) / CLK_TCK, rss: rssKb * 1024 };
}

/** An mqtt.js client (no automatic reconnect), connected. */
export function mqttConnect(
  url: string,
  creds: Creds | null,
  clientId: string,
  options: IClientOptions = {},
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(creds ? { username: creds.id, password: creds.secret } : {}),
    ...options,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/** A device speaking raw MQTT 3.1.1 (mqtt-packet) over TCP, or over TLS when `ca` is given. */
export class RawDevice {
  readonly socket: net.Socket;
  seq = 0;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
  }

  /** Resolves with the connected device, or the CONNACK return code (-1: no CONNACK). */
  static connect(port: number, id: string, secret: string, ca?: Buffer): Promise<RawDevice | number> {
    const socket = ca ? tls.connect({ host: '127.0.0.1', port, ca }) : net.connect(port, '127.0.0.1');
    const parser = mqttPacket.parser();
    const device = new RawDevice(socket);
    // A device that hears nothing within 30 s gives up (and, in a storm, tries again).
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (device.closed = true));
    return new Promise((resolve) => {
      parser.on('packet', (packet) => {
        if (packet.cmd !== 'connack') return;
        socket.setTimeout(0);
        resolve(packet.returnCode === 0 ? device : (packet.returnCode ?? -1));
      });
      socket.once('close', () => resolve(-1));
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          keepalive: 60,
          clientId: id,
          username: id,
          password: Buffer.from(secret),
        }),
      );
    });
  }

  /** A QoS 1 PUBLISH of `fields` with this device's next seq and the current ts. */
  publish(topic: string, fields: Record<string, unknown>, retain = false): void {
    if (this.closed) return;
    this.seq++;
    this.socket.write(
      mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload: JSON.stringify({ seq: this.seq, ts: Date.now(), ...fields }),
        qos: 1,
        messageId: (this.seq % 65535) + 1,
        retain,
        dup: false,
      }),
    );
  }
}

/** Registers devices of one facility sharing one stored secret hash (`secretHash` of `secret`). */
export async function seedFleet(
  url: string,
  facility: string,
  devices: ReadonlyArray<{ id: string; kind: DeviceKind }>,
  secretHash: string,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await upsertDevicesWithSharedSecret(
      pool,
      facility,
      devices.map((d) => ({ ...d, expectedIntervalS: 60 })),
      secretHash,
    );
  } finally {
    await pool.end();
  }
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
