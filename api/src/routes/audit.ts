import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { iso, listAccess } from '@vigil/store';
import type { RouteOptions } from '../http.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { assertFacility } from '../scope.js';

const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  facility: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

/** Who read or changed residents' data, and every other write through the api (PIPL Art. 47). */
export const auditRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/audit',
    {
      config: { action: 'audit' },
      schema: {
        tags: ['audit'],
        operationId: 'listAudit',
        summary: 'The audit log in scope, newest first (safety officer, admin)',
        description:
          'Reads of vital signs and timelines and every write, each with who, when and what. Officers see their ' +
          'facility’s entries; entries of no facility (retention, sign-in) are the admin’s. Keyset-paged by id.',
        querystring: z.object({
          facility: idSchema.optional(),
          actor: z.string().max(200).optional(),
          action: z.string().max(100).optional().describe('prefix, e.g. `resident.` or `resident.vitals.read`'),
          target: z.string().max(200).optional().describe('e.g. `resident:f1/anna`'),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          ...pageQuery,
        }),
        response: { 200: z.object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const { cursor, limit, ...q } = request.query;
      if (q.facility) await assertFacility(p, q.facility, ctx.directory);
      const before = decodeCursor(cursor, 1);
      const rows = await listAccess(ctx.db, p, {
        ...q,
        before: before ? Number(before[0]) : undefined,
        limit: limit + 1,
      });
      const { items, nextCursor } = page(rows, limit, (row) => [String(row.id)]);
      return { entries: items.map((e) => ({ ...e, at: iso(e.at) })), nextCursor };
    },
  );
};
