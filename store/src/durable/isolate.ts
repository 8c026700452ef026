import { classifyDatabaseError } from './classify.js';

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
