import type { ClassicLevel } from 'classic-level';
import type { Logger } from '@vigil/core';
import type { BatchWriter, StoreOp } from '@vigil/core';

const PREFIX = 'online:';
const RANGE = { gte: PREFIX, lt: 'online;' };

/**
 * Which devices are connected to this gateway, kept on disk so a crash does not leave them `online` in the
 * database for ever: a device that had no Last Will, or whose will was lost with the process, would
 * otherwise look connected until it came back, and a coverage audit would count a blind spot as covered.
 * At start-up every device still listed is reported disconnected (before any new CONNECT is accepted);
 * the ones that reconnect are reported online again.
 */
export class OnlineDevices {
  readonly #writer: BatchWriter;
  readonly #log: Logger;
  /** Connections per device: a client-id takeover briefly has two. */
  readonly #connections = new Map<string, number>();

  private constructor(writer: BatchWriter, log: Logger) {
    this.#writer = writer;
    this.#log = log;
  }

  /** Opens the set and hands every device left in it by the previous process to `leftOver`, then forgets them. */
  static async open(
    db: ClassicLevel<string, string>,
    writer: BatchWriter,
    log: Logger,
    leftOver: (deviceId: string, facility: string) => void,
  ): Promise<OnlineDevices> {
    const keys: string[] = [];
    for await (const [key, facility] of db.iterator(RANGE)) {
      leftOver(key.slice(PREFIX.length), facility);
      keys.push(key);
    }
    if (keys.length) {
      await writer.write(keys.map((key) => ({ type: 'del', key })));
      log.warn({ devices: keys.length }, 'devices connected when the gateway stopped reported offline');
    }
    return new OnlineDevices(writer, log);
  }

  connected(deviceId: string, facility: string): void {
    const n = this.#connections.get(deviceId) ?? 0;
    this.#connections.set(deviceId, n + 1);
    if (n === 0) this.#write({ type: 'put', key: `${PREFIX}${deviceId}`, value: facility });
  }

  disconnected(deviceId: string): void {
    const n = (this.#connections.get(deviceId) ?? 1) - 1;
    if (n > 0) return void this.#connections.set(deviceId, n);
    this.#connections.delete(deviceId);
    this.#write({ type: 'del', key: `${PREFIX}${deviceId}` });
  }

  #write(op: StoreOp): void {
    this.#writer.writeLater([op], (err) => this.#log.error({ err }, 'online-device record write failed'));
  }
}
