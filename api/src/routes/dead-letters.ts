import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { iso, listDeadLetters } from '@vigil/store';
import type { RouteOptions } from '../http.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { assertFacility } from '../scope.js';

const deadLetterSchema = z.object({
  time: z.iso.datetime(),
  topic: z.string(),
  facility: z.string().nullable(),
  device: z.string().nullable(),
  reason: z.string(),
  payloadSize: z.number().int(),
  payload: z.string(),
});

/** Messages ingest could not store, and why: for safety officers diagnosing a device. */
export const deadLetterRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/dead-letters',
    {
      config: { action: 'dead-letters' },
      schema: {
        tags: ['dead-letters'],
        operationId: 'listDeadLetters',
        summary: 'Messages that could not be stored, newest first (safety officer, admin)',
        description: 'The payload is truncated to 4 KiB. Keyset-paged by time.',
        querystring: z.object({ facility: idSchema.optional(), device: idSchema.optional(), ...pageQuery }),
        response: { 200: z.object({ deadLetters: z.array(deadLetterSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const { cursor, limit, ...q } = request.query;
      if (q.facility) await assertFacility(p, q.facility, ctx.directory);
      const before = decodeCursor(cursor, 1);
      const rows = await listDeadLetters(ctx.db, p, { ...q, before: before?.[0], limit: limit + 1 });
      const { items, nextCursor } = page(rows, limit, (row) => [row.time.toISOString()]);
      return { deadLetters: items.map((d) => ({ ...d, time: iso(d.time) })), nextCursor };
    },
  );
};
