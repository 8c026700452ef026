import type { Principal } from '@vigil/store';
import { deviceKindSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { iso } from '../db/alerts.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { allow, assertFacility, scopeClause } from '../scope.js';

const deviceSchema = z.object({
  id: idSchema,
  facility: idSchema,
  kind: deviceKindSchema,
  /** A pseudonym for regulators. */
  resident: z.string().nullable(),
  location: idSchema.nullable(),
  expectedIntervalS: z.number().int(),
  retired: z.boolean(),
  online: z.boolean().nullable(),
  battery: z.number().nullable(),
  fw: z.string().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  /** Nothing heard for more than 3× the expected interval (the device-offline rule's threshold). */
  silent: z.boolean(),
});
const statusChangeSchema = z.object({
  time: z.iso.datetime(),
  source: z.enum(['status', 'connect', 'disconnect', 'will']),
  online: z.boolean(),
  battery: z.number().nullable(),
  fw: z.string().nullable(),
});

const columns = (principal: Principal) => `d.id, d.facility_id AS facility, d.kind,
  ${principal.role === 'regulator' ? 'r.pseudonym' : 'd.resident_id'} AS resident, d.location_id AS location,
  d.expected_interval_s AS "expectedIntervalS", d.retired_at IS NOT NULL AS retired, d.online, d.battery, d.fw,
  d.last_seen_at AS "lastSeenAt"`;
const FROM = 'devices d LEFT JOIN residents r ON r.facility_id = d.facility_id AND r.id = d.resident_id';

export const deviceRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const view = (row: Record<string, unknown>): z.infer<typeof deviceSchema> => {
    const lastSeen = row.lastSeenAt as Date | null;
    const silentAfterMs = 3 * (row.expectedIntervalS as number) * 1000;
    return {
      ...(row as z.infer<typeof deviceSchema>),
      lastSeenAt: iso(lastSeen),
      silent: !row.retired && (lastSeen === null || ctx.clock.now() - lastSeen.getTime() > silentAfterMs),
    };
  };

  app.get(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'List devices in scope with their current status',
        querystring: z.object({
          facility: idSchema.optional(),
          kind: deviceKindSchema.optional(),
          online: z.enum(['true', 'false']).optional(),
          retired: z.enum(['true', 'false']).default('false').describe('list retired devices instead'),
          ...pageQuery,
        }),
        response: { 200: z.object({ devices: z.array(deviceSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'devices');
      const q = request.query;
      if (q.facility) await assertFacility(p, q.facility, ctx.directory);
      const after = decodeCursor(q.cursor, 1);
      const params: unknown[] = [q.facility ?? null, q.kind ?? null, q.online ?? null, q.retired, after?.[0] ?? null];
      params.push(q.limit + 1);
      const { rows } = await ctx.db.query(
        `SELECT ${columns(p)} FROM ${FROM}
         WHERE ($1::text IS NULL OR d.facility_id = $1) AND ($2::text IS NULL OR d.kind = $2)
           AND ($3::boolean IS NULL OR d.online = $3) AND (d.retired_at IS NOT NULL) = $4::boolean
           AND ($5::text IS NULL OR d.id > $5) AND ${scopeClause(p, 'd.facility_id', params)}
         ORDER BY d.id LIMIT $6`,
        params,
      );
      const { items, nextCursor } = page(rows, q.limit, (row) => [row.id]);
      return { devices: items.map(view), nextCursor };
    },
  );

  app.get(
    '/devices/:device',
    {
      schema: {
        tags: ['devices'],
        summary: 'One device with its current status and its recent status changes',
        params: z.object({ device: idSchema }),
        response: { 200: deviceSchema.extend({ statusChanges: z.array(statusChangeSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'devices');
      const params: unknown[] = [request.params.device];
      const { rows } = await ctx.db.query(
        `SELECT ${columns(p)} FROM ${FROM} WHERE d.id = $1 AND ${scopeClause(p, 'd.facility_id', params)}`,
        params,
      );
      if (!rows[0]) throw NotFound(`device ${request.params.device} not found`);
      const changes = await ctx.db.query(
        `SELECT time, source, online, battery, fw FROM device_status WHERE device_id = $1 ORDER BY time DESC LIMIT 20`,
        [request.params.device],
      );
      return { ...view(rows[0]), statusChanges: changes.rows.map((row) => ({ ...row, time: iso(row.time) })) };
    },
  );
};
