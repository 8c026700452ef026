import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AckQueue } from './ack-queue.js';

/** Just enough of an mqtt.js client: a connection flag and a stream that records what is written. */
function fakeClient() {
  const writes: Buffer[] = [];
  const client = { connected: true, stream: { write: (chunk: Buffer) => writes.push(chunk) } as unknown as Duplex };
  const acked = () => writes.flatMap((chunk) => chunkIds(chunk));
  return { client, writes, acked };
}

/** The message ids of the PUBACK packets in a chunk, checking each packet's header. */
function chunkIds(chunk: Buffer): number[] {
  const ids: number[] = [];
  for (let i = 0; i < chunk.length; i += 4) {
    expect([chunk[i], chunk[i + 1]]).toEqual([0x40, 2]);
    ids.push(chunk.readUInt16BE(i + 2));
  }
  return ids;
}

describe('AckQueue', () => {
  it('acknowledges in arrival order, once every earlier message was handled, in one write per turn', async () => {
    const { client, writes, acked } = fakeClient();
    const acks = new AckQueue(client);
    const done = [1, 2, 3, 65535].map((id) => acks.reserve(id));
    done[1]!();
    done[3]!();
    await nextTurn();
    expect(acked()).toEqual([]); // message 1 is still being handled
    done[0]!();
    await nextTurn();
    expect(acked()).toEqual([1, 2]);
    done[2]!();
    await nextTurn();
    expect(acked()).toEqual([1, 2, 3, 65535]);
    expect(writes).toHaveLength(2);
  });

  it('writes a whole batch of acknowledgements at once', async () => {
    const { client, writes, acked } = fakeClient();
    const acks = new AckQueue(client);
    const ids = Array.from({ length: 3000 }, (_, i) => (i % 65535) + 1);
    const done = ids.map((id) => acks.reserve(id));
    for (const ack of done) ack();
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(acked()).toEqual(ids);
  });

  it('drops acknowledgements of a connection that has since been replaced (the broker redelivers those)', async () => {
    const { client, acked } = fakeClient();
    const acks = new AckQueue(client);
    const before = acks.reserve(7);
    acks.reset(); // a new CONNACK
    const after = acks.reserve(8);
    before();
    after();
    await nextTurn();
    expect(acked()).toEqual([8]);
  });

  it('writes nothing while disconnected', async () => {
    const { client, acked } = fakeClient();
    const acks = new AckQueue(client);
    client.connected = false;
    acks.reserve(9)();
    await nextTurn();
    expect(acked()).toEqual([]);
  });
});
