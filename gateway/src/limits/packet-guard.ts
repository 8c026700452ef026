import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * Sits between a TCP socket and aedes and reads only MQTT fixed headers (type byte + remaining length,
 * [MQTT-2.2.3]) to refuse packets larger than `maxBytes` before they are buffered: mqtt-packet would
 * otherwise collect up to 256 MB for one PUBLISH. Bodies pass through untouched, chunk by chunk.
 */
export class PacketGuard extends Duplex {
  readonly socket: Socket;
  readonly #maxBytes: number;
  readonly #onOversize: (size: number) => void;
  // Scanner state: bytes of body still to skip, or the header being read.
  #skip = 0;
  #inLength = false;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;

  constructor(socket: Socket, maxBytes: number, onOversize: (size: number) => void) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    this.#maxBytes = maxBytes;
    this.#onOversize = onOversize;
    socket.on('data', (chunk: Buffer) => {
      if (!this.#scan(chunk)) return;
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  /** False once an oversize packet is seen; the connection is then destroyed. */
  #scan(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (!this.#inLength) {
        this.#inLength = true;
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      if (byte & 0x80 && this.#lengthBytes < 4) continue;
      this.#inLength = false;
      const size = 1 + this.#lengthBytes + this.#length;
      if (size > this.#maxBytes) {
        this.#onOversize(size);
        this.destroy(new Error(`packet of ${size} bytes exceeds ${this.#maxBytes}`));
        return false;
      }
      this.#skip = this.#length;
    }
    return true;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  // mqtt-packet corks the stream and writes a packet in several small chunks (header, topic, payload):
  // hand them to the socket as one writev, one system call instead of one per chunk (and per packet,
  // when aedes writes several in the same tick).
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.socket.cork();
    let flowing = true;
    for (const { chunk } of chunks) flowing = this.socket.write(chunk);
    this.socket.uncork();
    if (flowing) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }
}
