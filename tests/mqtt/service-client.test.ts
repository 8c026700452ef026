import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectMqttService, silentLogger, type MqttMessage, type MqttService } from '@vigil/core';
import { Mosquitto } from '../gateway/mosquitto.js';
import { exited, freePort, waitFor } from '../helpers/processes.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = ['--conditions=vigil-source', '--import', 'tsx', path.join(REPO, 'tests/mqtt/crash-child.ts')];
const FAST = { reconnectMinMs: 100, reconnectMaxMs: 400, connectTimeoutMs: 10_000 };

/** A durable service session in this process that records each message and acknowledges it at once. */
async function recorder(url: string, clientId: string, topic: string) {
  const received: MqttMessage[] = [];
  const service = await connectMqttService({
    url,
    username: 'test',
    password: 'unused',
    clientId,
    session: 'durable',
    filters: [topic],
    log: silentLogger(),
    tuning: FAST,
    handler: (message, next) => {
      received.push(message);
      message.ack?.();
      next();
    },
  });
  return { service, received, texts: () => received.map((m) => m.payload.toString()) };
}

/** Starts crash-child.ts and collects the JSON lines it reports. */
function startChild(env: Record<string, string>): { child: ChildProcess; lines: Record<string, string>[] } {
  const child = spawn(process.execPath, CHILD, { cwd: REPO, env: { ...process.env, ...env }, stdio: 'pipe' });
  const lines: Record<string, string>[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) lines.push(JSON.parse(line) as Record<string, string>);
  });
  return { child, lines };
}

describe('the core MQTT service client against Mosquitto', () => {
  let broker: Mosquitto;
  let publisher: mqtt.MqttClient;
  const open: MqttService[] = [];
  const children: ChildProcess[] = [];
  const publish = (topic: string, text: string) => publisher.publishAsync(topic, text, { qos: 1 });
  const freshTopic = () => `vigil-test/${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    broker = await Mosquitto.create();
    await broker.start();
    publisher = await mqtt.connectAsync(broker.url, {
      clientId: 'publisher',
      protocolVersion: 4,
      reconnectPeriod: 100,
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(open.splice(0).map((service) => service.close()));
  });
  afterAll(async () => {
    await publisher?.endAsync(true);
    await broker?.destroy();
  });

  it('redelivers to the next instance what a process killed before its work committed never acknowledged', async () => {
    const topic = freshTopic();
    const clientId = `crash-${randomBytes(3).toString('hex')}`;
    const first = startChild({ CRASH_URL: broker.url, CRASH_CLIENT_ID: clientId, CRASH_TOPIC: topic });
    children.push(first.child);
    await waitFor('the child subscribed', () => first.lines.some((l) => l.ready === clientId), 30_000);

    await publish(topic, 'commit:one');
    await waitFor('one acknowledged', () => first.lines.some((l) => l.acked === 'commit:one'));
    await publish(topic, 'two');
    await waitFor('two received', () => first.lines.some((l) => l.got === 'two'));
    first.child.kill('SIGKILL');
    await exited(first.child);

    const next = await recorder(broker.url, clientId, topic);
    open.push(next.service);
    await waitFor('two redelivered', () => next.texts().includes('two'));
    expect(next.texts()).toEqual(['two']); // 'one' was acknowledged after its work: never again

    // This instance acknowledged 'two' (close sends what is due): a third one gets only what is new.
    await next.service.close();
    open.splice(0);
    await publish(topic, 'three');
    const third = await recorder(broker.url, clientId, topic);
    open.push(third.service);
    await waitFor('three delivered', () => third.texts().includes('three'));
    expect(third.texts()).toEqual(['three']);
  });

  it('reconnects after the broker restarts, and subscribes again when the broker lost the session', async () => {
    const topic = freshTopic();
    const states: boolean[] = [];
    const received: string[] = [];
    const service = await connectMqttService({
      url: broker.url,
      username: 'test',
      password: 'unused',
      clientId: `restart-${randomBytes(3).toString('hex')}`,
      session: 'durable',
      filters: [topic],
      log: silentLogger(),
      tuning: FAST,
      onConnectionChange: (up) => states.push(up),
      handler: (message, next) => {
        received.push(message.payload.toString());
        message.ack?.();
        next();
      },
    });
    open.push(service);
    await publish(topic, 'before');
    await waitFor('before', () => received.includes('before'));

    // Restarted with its state file gone: the session and its subscription no longer exist at the broker.
    await broker.stop();
    await waitFor('the client saw the broker go', () => !service.connected());
    await rm(path.join(broker.dir, 'mosquitto.db'), { force: true });
    await broker.start();
    await waitFor('reconnected', () => service.connected(), 20_000);
    await waitFor('the publisher reconnected', () => publisher.connected, 20_000);

    // The resubscription is one round trip behind the CONNACK: publish until the first copy arrives.
    await waitFor('after', async () => {
      await publish(topic, 'after');
      return received.includes('after');
    });
    expect(received[0]).toBe('before');
    expect(states).toEqual(expect.arrayContaining([true, false]));
    expect(states.at(-1)).toBe(true);
  });

  it('fails start-up with a typed error when no broker answers within the connect timeout', async () => {
    const port = await freePort();
    await expect(
      connectMqttService({
        url: `mqtt://127.0.0.1:${port}`,
        username: 'test',
        password: 'unused',
        clientId: 'nobody-home',
        session: 'durable',
        filters: ['vigil-test/#'],
        log: silentLogger(),
        tuning: { ...FAST, connectTimeoutMs: 500 },
        handler: (_message, next) => next(),
      }),
    ).rejects.toMatchObject({ code: 'VIGIL_ERR_MQTT_UNREACHABLE' });
  });
});
