import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from './coalesce-writes.js';

/** A connected pair over loopback TCP: the gateway's end and the client's. */
async function socketPair(): Promise<{ server: net.Server; ours: net.Socket; theirs: net.Socket }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const theirs = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  return { server, ours: await accepted, theirs };
}

/** Writes `count` PUBACKs the way aedes hands on deliveries: each from a macrotask of its own, in one turn. */
function writeInOneTurn(socket: net.Socket, count: number): void {
  for (let id = 1; id <= count; id++)
    setImmediate(() => mqttPacket.writeToStream({ cmd: 'puback', messageId: id }, socket));
}

/** Counts how many times the socket hands data to the kernel (one write or writev system call each). */
function countWrites(socket: net.Socket): { readonly count: number } {
  const counted = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const counter = { count: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = counted[method].bind(socket);
    counted[method] = (...args) => (counter.count++, original(...args));
  }
  return counter;
}

/** The packet ids of the next `count` PUBACKs that arrive at `socket`. */
function received(socket: net.Socket, count: number): Promise<number[]> {
  const parser = mqttPacket.parser();
  const ids: number[] = [];
  return new Promise((resolve) => {
    parser.on('packet', (packet) => {
      ids.push((packet as mqttPacket.IPubackPacket).messageId!);
      if (ids.length === count) resolve(ids);
    });
    socket.on('data', (chunk) => parser.parse(chunk));
  });
}

describe('coalesceWrites', () => {
  let pair: Awaited<ReturnType<typeof socketPair>>;
  afterEach(async () => {
    pair.ours.destroy();
    pair.theirs.destroy();
    await new Promise((resolve) => pair.server.close(resolve));
  });

  it('sends the packets written in one turn of the event loop in one write, in order', async () => {
    pair = await socketPair();
    const socket = coalesceWrites(pair.ours);
    const writes = countWrites(socket);
    const arrived = received(pair.theirs, 20);
    writeInOneTurn(socket, 20);
    expect(await arrived).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(writes.count).toBe(1);
    // A later turn's writes go out too: the socket is not left corked.
    const more = received(pair.theirs, 3);
    writeInOneTurn(socket, 3);
    expect(await more).toEqual([1, 2, 3]);
    expect(writes.count).toBe(2);
  });

  it('is what makes the difference: without it every packet is a write of its own', async () => {
    pair = await socketPair();
    const writes = countWrites(pair.ours);
    const arrived = received(pair.theirs, 20);
    writeInOneTurn(pair.ours, 20);
    await arrived;
    expect(writes.count).toBe(20);
  });
});
