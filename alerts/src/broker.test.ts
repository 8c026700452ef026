import { setImmediate as nextTurn } from 'node:timers/promises';
import type mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { AckQueue } from './broker.js';

/** Just enough of an mqtt.js client: a connection flag and a stream that records what is written. */
function fakeClient() {
  const stream = (writes: Buffer[]) => ({ write: (chunk: Buffer) => void writes.push(chunk) });
  const writes: Buffer[] = [];
  const client = { connected: true, stream: stream(writes) };
  const acked = () => writes.flatMap((chunk) => chunkIds(chunk));
  return { client, writes, acked, reconnect: () => void (client.stream = stream(writes)) };
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
    const acks = new AckQueue(client as unknown as mqtt.MqttClient);
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

  it('drops acknowledgements of a connection that has since been replaced (the broker redelivers those)', async () => {
    const { client, acked, reconnect } = fakeClient();
    const acks = new AckQueue(client as unknown as mqtt.MqttClient);
    const before = acks.reserve(7);
    reconnect();
    const after = acks.reserve(8);
    before();
    after();
    await nextTurn();
    expect(acked()).toEqual([8]);
  });

  it('writes nothing while disconnected', async () => {
    const { client, acked } = fakeClient();
    const acks = new AckQueue(client as unknown as mqtt.MqttClient);
    client.connected = false;
    acks.reserve(9)();
    await nextTurn();
    expect(acked()).toEqual([]);
  });
});
