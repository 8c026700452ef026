import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@vigil/core';
import { createGatewayMetrics } from '../metrics.js';
import { BatchWriter } from '@vigil/core';
import { SessionStore } from './session-store.js';

const ingest = { id: 'vigil-ingest' };
const reading = (n: number, brokerId = 'broker-1') => ({
  cmd: 'publish',
  topic: 'vigil/v1/f/wb-1/reading',
  payload: Buffer.from(`{"seq":${n}}`),
  qos: 1,
  retain: false,
  dup: false,
  brokerId,
  brokerCounter: n,
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe('SessionStore', () => {
  let dir: string;
  let db: ClassicLevel<string, string>;
  let metrics: ReturnType<typeof createGatewayMetrics>;

  /** Opens the store on `dir` as a gateway process with broker id `brokerId` would. */
  async function open(brokerId: string, maxPerClient = 100) {
    db = new ClassicLevel<string, string>(dir);
    const writer = new BatchWriter(db);
    metrics = createGatewayMetrics(new Registry());
    const store = new SessionStore(db, writer, { maxPerClient, metrics, log: silentLogger() });
    await store.setup({ id: brokerId });
    return { store, writer };
  }
  /** As after `kill -9`: what reached the page cache stays, nothing else is done. */
  async function crash(writer: BatchWriter) {
    await writer.drain();
    await db.close();
  }
  const depth = async () => (await metrics.sessionQueueDepth.get()).values[0]?.value;

  beforeEach(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-sessions-'))));
  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('restores subscriptions, queued messages in order (DUP = 1), wills and retained messages after a crash', async () => {
    let { store, writer } = await open('broker-1');
    await store.addSubscriptions(ingest, [{ topic: 'vigil/v1/+/+/reading', qos: 1 }]);
    for (let n = 1; n <= 5; n++) await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(n));
    // 1 was sent and acknowledged, 2 was sent and not acknowledged.
    await store.outgoingUpdate(ingest, { ...reading(1), messageId: 11 });
    await store.outgoingUpdate(ingest, { ...reading(2), messageId: 12 });
    await store.outgoingClearMessageId(ingest, { messageId: 11 } as never);
    await store.putWill({ id: 'wb-1' }, {
      topic: 'vigil/v1/f/wb-1/status',
      payload: Buffer.from('{"online":false}'),
    } as never);
    await store.storeRetained({ ...reading(9), topic: 'vigil/v1/f/wb-1/status', retain: true });
    expect(await depth()).toBe(4);
    await crash(writer);

    ({ store, writer } = await open('broker-2'));
    expect(await store.subscriptionsByClient(ingest)).toEqual([{ topic: 'vigil/v1/+/+/reading', qos: 1 }]);
    expect(await store.subscriptionsByTopic('vigil/v1/f/wb-1/reading')).toMatchObject([{ clientId: ingest.id }]);
    const queued = await collect(store.outgoingStream(ingest));
    expect(queued.map((p) => JSON.parse(p.payload.toString()).seq)).toEqual([2, 3, 4, 5]);
    expect(queued.every((p) => p.dup === true && Buffer.isBuffer(p.payload))).toBe(true);
    expect(await depth()).toBe(4);
    // The will of the gone broker instance is streamed for aedes to publish; the live broker's are not.
    const wills = await collect(store.streamWill({ 'broker-2': {} }));
    expect(wills).toMatchObject([{ clientId: 'wb-1', brokerId: 'broker-1', topic: 'vigil/v1/f/wb-1/status' }]);
    expect(await collect(store.createRetainedStream('vigil/v1/f/+/status'))).toMatchObject([
      { topic: 'vigil/v1/f/wb-1/status' },
    ]);

    // Re-sent and acknowledged after the restart: gone for good.
    for (const [i, packet] of queued.entries()) {
      await store.outgoingUpdate(ingest, { ...packet, messageId: 100 + i });
      await store.outgoingClearMessageId(ingest, { messageId: 100 + i } as never);
    }
    await crash(writer);
    ({ store } = await open('broker-3'));
    expect(await collect(store.outgoingStream(ingest))).toEqual([]);
    expect(await depth()).toBe(0);
  });

  it('stores the messages one group commit queues for a client as one record, deleted once all are acknowledged', async () => {
    let { store, writer } = await open('broker-1');
    const onDisk = () => db.keys({ gte: 'session:out:', lt: 'session:out;' }).all();
    // Queued in the same event-loop turn: one group commit, one record.
    await Promise.all([1, 2, 3].map((n) => store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(n))));
    await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(4));
    expect(await onDisk()).toHaveLength(2);
    for (const n of [1, 2, 3, 4]) await store.outgoingUpdate(ingest, { ...reading(n), messageId: n });
    for (const n of [1, 3]) await store.outgoingClearMessageId(ingest, { messageId: n } as never);
    expect(await collect(store.outgoingStream(ingest))).toMatchObject([{ messageId: 2 }, { messageId: 4 }]);
    await store.outgoingClearMessageId(ingest, { messageId: 4 } as never);
    await writer.drain();
    expect(await onDisk()).toHaveLength(1);

    // A crash now re-sends the whole record that still has a message outstanding: the acknowledged ones
    // come back once more, as DUPs (QoS 1 allows it; each consumer stores a message once).
    await crash(writer);
    ({ store, writer } = await open('broker-2'));
    const queued = await collect(store.outgoingStream(ingest));
    expect(queued.map((p) => [JSON.parse(p.payload.toString()).seq, p.dup])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(await depth()).toBe(3);
    for (const [i, packet] of queued.entries()) {
      await store.outgoingUpdate(ingest, { ...packet, messageId: 10 + i });
      await store.outgoingClearMessageId(ingest, { messageId: 10 + i } as never);
    }
    await writer.drain();
    expect(await onDisk()).toEqual([]);
  });

  it('upgrades state written in the first on-disk format (JSON, one key per queued message)', async () => {
    // As the first format stored them: JSON, binary values as {"$b64": …}.
    const json = (packet: object) =>
      JSON.stringify(packet, (_key, value: unknown) =>
        typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Buffer'
          ? { $b64: Buffer.from((value as { data: number[] }).data).toString('base64') }
          : value,
      );
    db = new ClassicLevel<string, string>(dir);
    await db.batch([
      { type: 'put', key: 'session:sub:vigil-ingest:vigil/v1/+/+/reading', value: '{"qos":1}' },
      { type: 'put', key: 'session:out:vigil-ingest:0000000000000001', value: json(reading(1)) },
      {
        type: 'put',
        key: 'session:out:vigil-ingest:0000000000000002',
        value: json({ cmd: 'pubrel', messageId: 8 }), // a QoS 2 message past PUBREC
      },
      {
        type: 'put',
        key: 'session:ret:vigil/v1/f/wb-1/status',
        value: json({ ...reading(3), topic: 'vigil/v1/f/wb-1/status', retain: true }),
      },
      { type: 'put', key: 'session:will:wb-1', value: json({ ...reading(4), clientId: 'wb-1' }) },
      { type: 'put', key: 'session:in:wb-1:00009', value: json({ ...reading(5), qos: 2, messageId: 9 }) },
    ]);
    await db.close();

    let { store, writer } = await open('broker-2');
    expect(await store.subscriptionsByClient(ingest)).toEqual([{ topic: 'vigil/v1/+/+/reading', qos: 1 }]);
    const queued = await collect(store.outgoingStream(ingest));
    expect(queued).toMatchObject([
      { cmd: 'publish', brokerCounter: 1, dup: true },
      { cmd: 'pubrel', messageId: 8 },
    ]);
    expect(JSON.parse(queued[0]!.payload.toString())).toEqual({ seq: 1 });
    expect(await collect(store.createRetainedStream('vigil/v1/f/+/status'))).toMatchObject([{ brokerCounter: 3 }]);
    expect(await collect(store.streamWill({}))).toMatchObject([{ clientId: 'wb-1', brokerCounter: 4 }]);
    expect(await store.incomingGetPacket({ id: 'wb-1' } as never, { messageId: 9 } as never)).toMatchObject({
      brokerCounter: 5,
    });

    // Upgraded once: a restart reads format 3 and finds the same state; the PUBCOMP then clears the PUBREL.
    await crash(writer);
    ({ store, writer } = await open('broker-3'));
    expect(await collect(store.outgoingStream(ingest))).toMatchObject([{ brokerCounter: 1 }, { cmd: 'pubrel' }]);
    await store.outgoingUpdate(ingest, { ...reading(1), messageId: 1 });
    await store.outgoingClearMessageId(ingest, { messageId: 1 } as never);
    await store.outgoingClearMessageId(ingest, { messageId: 8 } as never);
    await writer.drain();
    expect(await db.keys({ gte: 'session:out:', lt: 'session:out;' }).all()).toEqual([]);
  });

  it('reads a record of the second on-disk format (JSON packet headers) as it is', async () => {
    // Format 2: [int32 header length][header JSON][int32 payload length][payload], back to back.
    const packet = ({ payload, ...header }: ReturnType<typeof reading>) => {
      const head = Buffer.from(JSON.stringify(header));
      const lengths = [head.length, payload.length].map((n) => Buffer.from([n >>> 24, n >>> 16, n >>> 8, n]));
      return Buffer.concat([lengths[0]!, head, lengths[1]!, payload]);
    };
    db = new ClassicLevel<string, string>(dir);
    await db.batch([
      { type: 'put', key: 'session-format', value: '2' },
      { type: 'put', key: 'session:sub:vigil-ingest:vigil/v1/+/+/reading', value: '{"qos":1}' },
      {
        type: 'put',
        key: 'session:out:vigil-ingest:0000000000000007',
        value: Buffer.concat([packet(reading(1)), packet(reading(2))]) as unknown as string,
      },
    ]);
    await db.close();
    const { store } = await open('broker-2');
    const queued = await collect(store.outgoingStream(ingest));
    expect(queued).toMatchObject([
      { brokerId: 'broker-1', brokerCounter: 1, dup: true },
      { brokerId: 'broker-1', brokerCounter: 2, dup: true },
    ]);
    expect(queued.map((p) => p.payload.toString())).toEqual(['{"seq":1}', '{"seq":2}']);
    expect(await db.get('session-format')).toBe('3');
    // New messages continue the record sequence after the one read back.
    await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(3, 'broker-2'));
    expect(await db.keys({ gte: 'session:out:', lt: 'session:out;' }).all()).toEqual([
      'session:out:vigil-ingest:0000000000000007',
      'session:out:vigil-ingest:0000000000000008',
    ]);
  });

  it('marks a message sent once and not acknowledged as DUP when streamed again, without a restart', async () => {
    const { store } = await open('broker-1');
    await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(1));
    await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(2));
    expect((await collect(store.outgoingStream(ingest))).map((p) => p.dup)).toEqual([false, false]);
    await store.outgoingUpdate(ingest, { ...reading(1), messageId: 7 });
    expect(await collect(store.outgoingStream(ingest))).toMatchObject([{ messageId: 7, dup: true }, { dup: false }]);
  });

  it('does not queue a message whose record could not be written', async () => {
    const { store } = await open('broker-1');
    await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(1));
    await db.close(); // every later batch fails
    await expect(store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(2))).rejects.toThrow();
    expect(await depth()).toBe(1);
    expect(await store.outgoingClearMessageId(ingest, reading(2))).toBeUndefined();
    expect(await store.outgoingClearMessageId(ingest, reading(1))).toMatchObject({ brokerCounter: 1 });
    expect(await depth()).toBe(0);
  });

  it("gives a client none of another client's messages when an emptied queue is used again", async () => {
    const { store } = await open('broker-1');
    const alerts = { id: 'vigil-alerts' };
    await store.outgoingEnqueueCombi([{ clientId: ingest.id }], reading(1));
    await store.outgoingUpdate(ingest, { ...reading(1), messageId: 5 });
    await store.outgoingClearMessageId(ingest, { messageId: 5 } as never); // ingest's queue is empty now
    await store.outgoingEnqueueCombi([{ clientId: alerts.id }], reading(2));
    expect(await collect(store.outgoingStream(ingest))).toEqual([]);
    expect(await collect(store.outgoingStream(alerts))).toMatchObject([{ brokerCounter: 2, dup: false }]);
    expect(await store.outgoingClearMessageId(alerts, { messageId: 5 } as never)).toBeUndefined();
    expect(await depth()).toBe(1);
  });

  it('bounds each session queue, counting what it refuses', async () => {
    const { store } = await open('broker-1', 3);
    const other = { clientId: 'vigil-alerts' };
    for (let n = 1; n <= 5; n++) await store.outgoingEnqueueCombi([{ clientId: ingest.id }, other], reading(n));
    await store.outgoingEnqueueCombi([other], reading(6)); // `other` is full as well
    expect(await collect(store.outgoingStream(ingest))).toHaveLength(3);
    const refused = (await metrics.refusals.get()).values.find((v) => v.labels.reason === 'queue_overflow');
    expect(refused?.value).toBe(5);
    expect((await metrics.sessionQueueMax.get()).values[0]?.value).toBe(3);
  });

  it('keeps a QoS 2 PUBREL in place of its PUBLISH, and inbound QoS 2 packets, across a crash', async () => {
    let { store, writer } = await open('broker-1');
    const qos2 = (n: number) => ({ ...reading(n), qos: 2 });
    // Three messages in one record; the middle one's PUBLISH is replaced by its PUBREL.
    await Promise.all([1, 2, 3].map((n) => store.outgoingEnqueueCombi([{ clientId: ingest.id }], qos2(n))));
    await store.outgoingUpdate(ingest, { ...qos2(2), messageId: 5 });
    await store.outgoingUpdate(ingest, { cmd: 'pubrel', messageId: 5 } as never); // PUBREC received
    await store.incomingStorePacket({ id: 'wb-1' }, { ...reading(3), qos: 2, messageId: 9 });
    await crash(writer);

    ({ store, writer } = await open('broker-2'));
    const queued = await collect(store.outgoingStream(ingest));
    // PUBLISHes in their order, then the PUBREL (MQTT orders re-sent PUBLISHes among themselves, PUBRELs
    // among themselves).
    expect(queued).toMatchObject([
      { cmd: 'publish', brokerCounter: 1, dup: true },
      { cmd: 'publish', brokerCounter: 3, dup: true },
      { cmd: 'pubrel', messageId: 5 },
    ]);
    for (const [i, packet] of queued.entries()) {
      if (packet.cmd === 'pubrel') {
        await store.outgoingUpdate(ingest, packet); // re-sent on reconnect
        expect(await store.outgoingClearMessageId(ingest, { messageId: 5 } as never)).toBeDefined(); // PUBCOMP
      } else {
        await store.outgoingUpdate(ingest, { ...packet, messageId: 20 + i });
        await store.outgoingClearMessageId(ingest, { messageId: 20 + i } as never);
      }
    }
    expect(await store.incomingGetPacket({ id: 'wb-1' } as never, { messageId: 9 } as never)).toMatchObject({
      topic: 'vigil/v1/f/wb-1/reading',
    });
    await store.cleanIncoming({ id: 'wb-1' });
    await crash(writer);

    ({ store } = await open('broker-3'));
    expect(await collect(store.outgoingStream(ingest))).toEqual([]);
    expect(await db.keys({ gte: 'session:', lt: 'session;' }).all()).toEqual([]);
    await expect(store.incomingGetPacket({ id: 'wb-1' } as never, { messageId: 9 } as never)).rejects.toThrow();
  });
});
