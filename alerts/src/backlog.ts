import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { BatchWriter, type Logger } from '@vigil/core';
import { alertEventSchema } from '@vigil/protocol';
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
  remove(eventIds: readonly number[]): void;
}

/** Event ids zero-padded, so LevelDB's key order is id order. */
const keyOf = (eventId: number) => String(eventId).padStart(16, '0');

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
    return this.writer.write([{ type: 'put', key: keyOf(event.eventId), value: JSON.stringify(stored) }]);
  }

  /** Forgets an event whose row committed (or that the database refused for good). */
  remove(eventIds: readonly number[]): void {
    const ops = eventIds.map((id) => ({ type: 'del' as const, key: keyOf(id) }));
    this.writer.writeLater(ops, (err) => this.log.error({ err, eventIds }, 'could not clear the alert backlog'));
  }

  /** What is left from before (a crash, or a close with the database away), in id order. */
  async pending(): Promise<EventWrite[]> {
    const writes: EventWrite[] = [];
    for await (const value of this.db.values()) {
      const stored = JSON.parse(value) as StoredWrite;
      const write: EventWrite = {
        event: alertEventSchema.parse(stored.event),
        prevHash: stored.prevHash === null ? null : Buffer.from(stored.prevHash, 'hex'),
        hash: Buffer.from(stored.hash, 'hex'),
      };
      if (stored.commandId !== undefined) write.commandId = stored.commandId;
      writes.push(write);
    }
    return writes;
  }

  async close(): Promise<void> {
    await this.writer.drain();
    await this.db.close();
  }
}
