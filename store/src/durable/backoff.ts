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
