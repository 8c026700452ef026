/** Why a write queued in a lane did not run: one submitted before it failed. */
export const CANCELLED = new Error('write cancelled: an earlier write in the lane failed');

/**
 * Runs writes strictly one after another, in the order they were submitted, so batches commit in the
 * order of the messages they hold. A write's input is prepared as soon as it is submitted (while the
 * writes before it are still running); the write itself starts when its turn comes. When a write fails,
 * every write submitted before that failure and still waiting is cancelled (rejects with `CANCELLED`):
 * nothing behind a failed batch may commit before it.
 */
export class WriteLane {
  #tail: Promise<unknown> = Promise.resolve();
  #generation = 0;

  submit<I, R>(input: Promise<I>, write: (input: I) => Promise<R>): Promise<R> {
    const generation = this.#generation;
    input.catch(() => {}); // awaited below, or abandoned when cancelled
    const result = this.#tail.then(async () => {
      if (generation !== this.#generation) throw CANCELLED;
      try {
        return await write(await input);
      } catch (err) {
        this.#generation++;
        throw err;
      }
    });
    this.#tail = result.catch(() => {});
    return result;
  }

  /** Resolves when every write submitted so far has finished (or was cancelled). */
  idle(): Promise<void> {
    return this.#tail.then(() => {});
  }
}
