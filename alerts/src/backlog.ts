import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { BatchWriter, type Logger } from '@vigil/core';
import { alertEventSchema, type AlertEvent } from '@vigil/protocol';
import type { EventWrite } from './store.js';

/** An event write as it lies on disk: the hashes in hex, the event as published. */
interface StoredWrite {
  event: unknown;
  prevHash: string | null;
  hash: string;
  commandId?: number;
}

/** Where the event log keeps events until their rows commit. */
export interface Backlog {
  add(write: EventWrite): Promise<void>;
  remove(events: readonly AlertEvent[]): void;
}

/** A write left on disk, with the key it lies under. */
export interface LeftOver {
  key: string;
  write: EventWrite;
}

/** Facility, then the event id zero-padded: LevelDB's key order is each facility's id order. */
const keyOf = (event: AlertEvent) => `${event.alert.facility}/${String(event.eventId).padStart(16, '0')}`;

/**
 * The alert events not yet committed to the database, on local disk (LevelDB, group-committed like the gateway's
 * sessions): each is written before the event is published and removed once its row commits. So a crash while the
 * database is down loses nothing: the next start stores what is left, in id order, before it reads the database
 * (docs/alerts.md "Backlog on disk").
 */
export class DiskBacklog implements Backlog {
  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private readonly writer: BatchWriter,
    private readonly log: Logger,
  ) {}

  static async open(dir: string, log: Logger): Promise<DiskBacklog> {
    await mkdir(dir, { recursive: true });
    const db = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
    await db.open();
    return new DiskBacklog(db, new BatchWriter(db), log);
  }

  /** Resolves once the write is on disk. */
  add({ event, prevHash, hash, commandId }: EventWrite): Promise<void> {
    const stored: StoredWrite = { event, prevHash: prevHash?.toString('hex') ?? null, hash: hash.toString('hex') };
    if (commandId !== undefined) stored.commandId = commandId;
    return this.writer.write([{ type: 'put', key: keyOf(event), value: JSON.stringify(stored) }]);
  }

  /** Forgets events whose rows committed (or that the database refused for good). */
  remove(events: readonly AlertEvent[]): void {
    this.discard(events.map(keyOf));
  }

  /** Forgets what `pending` returned, by the keys it lies under. */
  discard(keys: readonly string[]): void {
    const ops = keys.map((key) => ({ type: 'del' as const, key }));
    this.writer.writeLater(ops, (err) => this.log.error({ err, keys }, 'could not clear the alert backlog'));
  }

  /**
   * What is left from before (a crash, or a close with the database away), in each facility's id order. With its
   * keys: a backlog from before ids were numbered per facility lies under the bare event id.
   */
  async pending(): Promise<LeftOver[]> {
    const left: LeftOver[] = [];
    for await (const [key, value] of this.db.iterator()) {
      const stored = JSON.parse(value) as StoredWrite;
      const write: EventWrite = {
        event: alertEventSchema.parse(stored.event),
        prevHash: stored.prevHash === null ? null : Buffer.from(stored.prevHash, 'hex'),
        hash: Buffer.from(stored.hash, 'hex'),
      };
      if (stored.commandId !== undefined) write.commandId = stored.commandId;
      left.push({ key, write });
    }
    return left;
  }

  async close(): Promise<void> {
    await this.writer.drain();
    await this.db.close();
  }
}
