import { careLevelSchema, deviceKindSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { iso } from '../db/alerts.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { allow, assertFacility, scopeClause } from '../scope.js';

const residentSchema = z.object({
  facility: idSchema,
  /** For regulators this is the pseudonym: they never see the real id or the name. */
  id: z.string(),
  pseudonym: z.string(),
  name: z.string().nullable(),
  careLevel: careLevelSchema,
  fallRisk: z.enum(['none', 'at-risk', 'high']),
  wanderRisk: z.boolean(),
  location: idSchema.nullable(),
  active: z.boolean(),
});
const vitalsSchema = z.object({
  device: idSchema,
  time: z.iso.datetime(),
  hr: z.number().nullable(),
  spo2: z.number().nullable(),
  rr: z.number().nullable(),
  sbp: z.number().nullable(),
  dbp: z.number().nullable(),
  skinTemp: z.number().nullable(),
  worn: z.boolean().nullable(),
  occupied: z.boolean().nullable(),
});
const residentDetailSchema = residentSchema.extend({
  devices: z.array(
    z.object({
      id: idSchema,
      kind: deviceKindSchema,
      online: z.boolean().nullable(),
      battery: z.number().nullable(),
      lastSeenAt: z.iso.datetime().nullable(),
    }),
  ),
  openAlerts: z.number().int(),
  /** The newest reading of each of the resident's vital-sign devices within a day; never shown to regulators. */
  latestVitals: z.array(vitalsSchema).optional(),
});

/** Regulators address and see residents only by pseudonym. */
const columns = (regulator: boolean) =>
  `r.facility_id AS facility, ${regulator ? 'r.pseudonym' : 'r.id'} AS id, r.pseudonym,
   ${regulator ? 'NULL' : 'r.name'} AS name, r.care_level AS "careLevel", r.fall_risk AS "fallRisk",
   r.wander_risk AS "wanderRisk", r.location_id AS location, r.active`;

export const residentRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/residents',
    {
      schema: {
        tags: ['residents'],
        summary: 'List residents in scope (pseudonymous for regulators)',
        querystring: z.object({ facility: idSchema.optional(), ...pageQuery }),
        response: { 200: z.object({ residents: z.array(residentSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'residents');
      const { facility, limit, cursor } = request.query;
      if (facility) await assertFacility(p, facility, ctx.directory);
      const after = decodeCursor(cursor, 2);
      const params: unknown[] = [facility ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1];
      const regulator = p.role === 'regulator';
      const idColumn = regulator ? 'r.pseudonym' : 'r.id';
      const { rows } = await ctx.db.query(
        `SELECT ${columns(regulator)} FROM residents r
         WHERE ($1::text IS NULL OR r.facility_id = $1) AND ($2::text IS NULL OR (r.facility_id, ${idColumn}) > ($2, $3))
           AND ${scopeClause(p, 'r.facility_id', params)}
         ORDER BY r.facility_id, ${idColumn} LIMIT $4`,
        params,
      );
      const { items, nextCursor } = page(rows, limit, (row) => [row.facility, row.id]);
      return { residents: items, nextCursor };
    },
  );

  app.get(
    '/residents/:facility/:resident',
    {
      schema: {
        tags: ['residents'],
        summary: "A resident's current status: devices, open alerts and (not for regulators) latest vital signs",
        params: z.object({ facility: idSchema, resident: z.string().min(1).max(64) }),
        response: { 200: residentDetailSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'residents');
      const regulator = p.role === 'regulator';
      const params: unknown[] = [request.params.facility, request.params.resident];
      const { rows } = await ctx.db.query(
        `SELECT ${columns(regulator)}, r.id AS "realId" FROM residents r
         WHERE r.facility_id = $1 AND ${regulator ? 'r.pseudonym' : 'r.id'} = $2
           AND ${scopeClause(p, 'r.facility_id', params)}`,
        params,
      );
      if (!rows[0]) throw NotFound(`resident ${request.params.facility}/${request.params.resident} not found`);
      const { realId, ...resident } = rows[0];
      const [devices, alerts, vitals] = await Promise.all([
        ctx.db.query(
          `SELECT id, kind, online, battery, last_seen_at AS "lastSeenAt" FROM devices
           WHERE facility_id = $1 AND resident_id = $2 AND retired_at IS NULL ORDER BY id`,
          [resident.facility, realId],
        ),
        ctx.db.query(
          `SELECT count(*)::int AS n FROM alerts WHERE facility_id = $1 AND resident_id = $2 AND status <> 'resolved'`,
          [resident.facility, realId],
        ),
        regulator ? null : latestVitals(ctx, resident.facility, realId),
      ]);
      return {
        ...resident,
        devices: devices.rows.map((d) => ({ ...d, lastSeenAt: iso(d.lastSeenAt) })),
        openAlerts: alerts.rows[0].n,
        ...(vitals ? { latestVitals: vitals } : {}),
      };
    },
  );
};

async function latestVitals(ctx: RouteOptions['ctx'], facility: string, resident: string) {
  const { rows } = await ctx.db.query(
    `SELECT DISTINCT ON (device_id) device_id AS device, time, hr, spo2, rr, sbp, dbp, skin_temp AS "skinTemp",
       worn, occupied
     FROM vitals WHERE facility_id = $1 AND resident_id = $2 AND time > now() - interval '1 day'
     ORDER BY device_id, time DESC`,
    [facility, resident],
  );
  return rows.map((row) => ({ ...row, time: iso(row.time) }));
}
