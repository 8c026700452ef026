import type { Socket } from 'node:net';

/**
 * Reads only MQTT fixed headers (type byte + remaining length, [MQTT-2.2.3]) of what comes in, across chunk
 * boundaries, and says when a packet is larger than `maxBytes`. Bodies are skipped, never copied.
 */
class HeaderScanner {
  readonly #maxBytes: number;
  // Bytes of body still to skip, or the header being read.
  #skip = 0;
  #inLength = false;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The size of the first oversize packet the chunk announces, or 0. */
  oversize(chunk: Buffer): number {
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
      if (size > this.#maxBytes) return size;
      this.#skip = this.#length;
    }
    return 0;
  }
}

/**
 * Refuses packets larger than `maxBytes` before they are buffered: mqtt-packet would otherwise collect up
 * to 256 MB for one PUBLISH. aedes reads its socket with `read()` on 'readable', so the check sits in that
 * socket's `read`: every chunk aedes takes is scanned first, and an oversize packet closes the connection
 * instead of reaching the parser. No stream is put between the socket and aedes, so writes go straight
 * to the socket (mqtt-packet corks it: one system call per packet).
 */
export function guardPacketSize(socket: Socket, maxBytes: number, onOversize: (size: number) => void): Socket {
  const scanner = new HeaderScanner(maxBytes);
  const read = socket.read.bind(socket);
  socket.read = (size?: number) => {
    const chunk = read(size) as Buffer | null;
    if (chunk === null) return null;
    const oversize = scanner.oversize(chunk);
    if (!oversize) return chunk;
    onOversize(oversize);
    socket.destroy(new Error(`packet of ${oversize} bytes exceeds ${maxBytes}`));
    return null;
  };
  return socket;
}
