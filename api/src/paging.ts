import { z } from 'zod';
import { Validation } from './errors.js';

/** `?limit=&cursor=` of every list endpoint; the cursor is opaque to clients (keyset paging, stable under inserts). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size (1–500)'),
  cursor: z.string().max(500).optional().describe('the `nextCursor` of the previous page'),
};

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with `size` parts; a forged or foreign cursor is a 400. */
export function decodeCursor(cursor: string | undefined, size: number): string[] | null {
  if (cursor === undefined) return null;
  try {
    const key = z
      .array(z.string())
      .length(size)
      .parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return key;
  } catch (err) {
    throw Validation('querystring/cursor: not a cursor returned by this endpoint', err);
  }
}

/** Splits one extra fetched row off a page: `rows` were fetched with `limit + 1`. */
export function page<T>(rows: T[], limit: number, key: (row: T) => readonly string[]) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}
