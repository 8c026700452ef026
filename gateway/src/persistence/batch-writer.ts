import type { ClassicLevel } from 'classic-level';

export type StoreOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

interface Pending {
  ops: StoreOp[];
  done: (err?: unknown) => void;
}

/**
 * Groups the writes of one event-loop turn into a single LevelDB batch. Hundreds of devices publishing at
 * once then cost one write-ahead-log append, not hundreds; each caller still learns when its own ops are
 * on disk (in the OS page cache, which survives `kill -9`).
 */
export class BatchWriter {
  readonly #db: ClassicLevel<string, string>;
  #queue: Pending[] = [];
  #scheduled = false;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  write(ops: StoreOp[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ops, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Waits until everything written so far is on disk. */
  async drain(): Promise<void> {
    while (this.#scheduled || this.#queue.length) await new Promise((r) => setImmediate(r));
    await this.#inFlight;
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (!batch.length) return;
    this.#inFlight = this.#db.batch(batch.flatMap((p) => p.ops)).then(
      () => batch.forEach((p) => p.done()),
      (err: unknown) => batch.forEach((p) => p.done(err)),
    );
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
