import { classifyDatabaseError } from './classify.js';

/**
 * Exponential backoff between retries of a transient failure, with a wait that can be cut short (new work
 * arrived, or the owner is closing). One instance per writer; `reset()` after a success.
 */
export class Backoff {
  readonly #minMs: number;
  readonly #maxMs: number;
  #next: number;
  #wake: (() => void) | null = null;

  constructor(options: { minMs: number; maxMs: number }) {
    this.#minMs = options.minMs;
    this.#maxMs = options.maxMs;
    this.#next = options.minMs;
  }

  /** Waits the current delay (or until `wake()`), then doubles it up to the maximum. */
  async wait(): Promise<void> {
    const ms = this.#next;
    this.#next = Math.min(this.#next * 2, this.#maxMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = null;
  }

  /** Ends the current wait now. */
  wake(): void {
    this.#wake?.();
  }

  reset(): void {
    this.#next = this.#minMs;
  }
}

/**
 * Writes `items` in order with `write`; when the database rejects a group, splits it in halves (in order)
 * until the rejected items are alone, and hands each of them to `refuse` (dead letter or refusal) with the
 * error. A transient error is thrown to the caller, which retries from the first unwritten item: `onWritten`
 * reports each prefix as it becomes durable, so nothing written is written twice by this call and nothing is
 * reordered.
 */
export async function writeIsolating<T>(
  items: readonly T[],
  write: (items: readonly T[]) => Promise<void>,
  refuse: (item: T, err: unknown) => Promise<void>,
  onWritten: (items: readonly T[]) => void = () => {},
): Promise<void> {
  try {
    await write(items);
    onWritten(items);
    return;
  } catch (err) {
    if (classifyDatabaseError(err) === 'transient') throw err;
    if (items.length === 1) {
      await refuse(items[0]!, err);
      onWritten(items);
      return;
    }
  }
  const half = Math.ceil(items.length / 2);
  await writeIsolating(items.slice(0, half), write, refuse, onWritten);
  await writeIsolating(items.slice(half), write, refuse, onWritten);
}
