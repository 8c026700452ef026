import type { ClassicLevel } from 'classic-level';

/** One LevelDB write. Values are strings unless the op says `valueEncoding: 'buffer'`. */
export type StoreOp =
  | { type: 'put'; key: string; value: string }
  | { type: 'put'; key: string; value: Buffer; valueEncoding: 'buffer' }
  | { type: 'del'; key: string };

/** Ops, or a function that builds them when the batch they go in is written (so they can grow until then). */
type Ops = StoreOp[] | (() => StoreOp[]);

interface Pending {
  ops: Ops;
  done: (err?: unknown) => void;
}

/**
 * Group commit for a LevelDB store (the gateway's sessions and outbox, the alerts backlog): the writes of one
 * event-loop turn, and everything that arrives while a batch is being written, go to disk as one batch. Hundreds
 * of devices publishing at once then cost one write-ahead-log append, not hundreds; each caller still learns when
 * its own ops are on disk (in the OS page cache, which survives `kill -9`). One batch at a time, in call order: an
 * op never overtakes an earlier one (a delete never lands before the put it undoes).
 */
export class BatchWriter {
  readonly #db: ClassicLevel<string, string>;
  #queue: Pending[] = [];
  #scheduled = false;
  #writing = false;

  constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  /**
   * Resolves once `ops` are on disk. A function passed instead of ops is called as its batch is written:
   * a caller can keep adding to what it will return until then (the session store fills one record per
   * client that way).
   */
  write(ops: Ops): Promise<void> {
    return new Promise((resolve, reject) => this.#push(ops, (err) => (err ? reject(err) : resolve())));
  }

  /** Like write(), for callers that need not wait: only a failure is reported. */
  writeLater(ops: StoreOp[], onError: (err: unknown) => void): void {
    this.#push(ops, (err) => err && onError(err));
  }

  #push(ops: Ops, done: Pending['done']): void {
    this.#queue.push({ ops, done });
    this.#schedule();
  }

  /** Waits until everything written so far is on disk. */
  async drain(): Promise<void> {
    while (this.#scheduled || this.#writing || this.#queue.length) await new Promise((r) => setImmediate(r));
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (!batch.length) return;
    this.#writing = true;
    try {
      const ops = batch.flatMap((p) => (typeof p.ops === 'function' ? p.ops() : p.ops));
      await this.#db.batch<string, string | Buffer>(ops, {});
      for (const p of batch) p.done();
    } catch (err) {
      for (const p of batch) p.done(err);
    } finally {
      this.#writing = false;
      if (this.#queue.length) this.#schedule();
    }
  }
}

/** Keys that sort in insertion order: `<prefix><16-digit counter>`. */
export class KeySequence {
  readonly prefix: string;
  #next: number;

  constructor(prefix: string, next: number) {
    this.prefix = prefix;
    this.#next = next;
  }

  /** Continues after the last key stored under `prefix`, so numbering survives restarts. */
  static async open(db: ClassicLevel<string, string>, prefix: string): Promise<KeySequence> {
    const last = await db.keys({ gte: prefix, lt: `${prefix}~`, reverse: true, limit: 1 }).all();
    const next = last.length ? Number(last[0]!.slice(prefix.length)) + 1 : 1;
    return new KeySequence(prefix, next);
  }

  next(): string {
    return `${this.prefix}${String(this.#next++).padStart(16, '0')}`;
  }

  range(): { gte: string; lt: string } {
    return { gte: this.prefix, lt: `${this.prefix}~` };
  }
}
