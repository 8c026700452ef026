import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { iso } from '../db/alerts.js';
import { NotFound } from '../errors.js';
import { allow, scopeClause } from '../scope.js';

const facilitySchema = z.object({
  id: idSchema,
  name: z.string(),
  region: idSchema,
  timezone: z.string(),
  createdAt: z.iso.datetime(),
});
const facilityDetailSchema = facilitySchema.extend({
  counts: z.object({
    residents: z.number().int(),
    devices: z.number().int(),
    devicesOnline: z.number().int(),
    openAlerts: z.number().int(),
  }),
});

const COLUMNS = `f.id, f.name, f.region, f.timezone, f.created_at AS "createdAt"`;

/** Facilities in the token's scope: one for facility tokens, the region's for regulators, all for admins. */
export const facilityRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/facilities',
    {
      schema: {
        tags: ['facilities'],
        summary: 'List the facilities in scope',
        response: { 200: z.object({ facilities: z.array(facilitySchema) }) },
      },
    },
    async (request) => {
      allow(request.principal, 'facilities');
      const params: unknown[] = [];
      const { rows } = await ctx.db.query(
        `SELECT ${COLUMNS} FROM facilities f WHERE ${scopeClause(request.principal, 'f.id', params)} ORDER BY f.id`,
        params,
      );
      return { facilities: rows.map(withIsoTime) };
    },
  );

  app.get(
    '/facilities/:facility',
    {
      schema: {
        tags: ['facilities'],
        summary: 'One facility with counts of residents, devices and open alerts',
        params: z.object({ facility: idSchema }),
        response: { 200: facilityDetailSchema },
      },
    },
    async (request) => {
      allow(request.principal, 'facilities');
      const params: unknown[] = [request.params.facility];
      const { rows } = await ctx.db.query(
        `SELECT ${COLUMNS},
           (SELECT count(*)::int FROM residents r WHERE r.facility_id = f.id AND r.active) AS residents,
           (SELECT count(*)::int FROM devices d WHERE d.facility_id = f.id AND d.retired_at IS NULL) AS devices,
           (SELECT count(*)::int FROM devices d WHERE d.facility_id = f.id AND d.retired_at IS NULL AND d.online)
             AS "devicesOnline",
           (SELECT count(*)::int FROM alerts a WHERE a.facility_id = f.id AND a.status <> 'resolved') AS "openAlerts"
         FROM facilities f WHERE f.id = $1 AND ${scopeClause(request.principal, 'f.id', params)}`,
        params,
      );
      const row = rows[0];
      if (!row) throw NotFound(`facility ${request.params.facility} not found`);
      const { residents, devices, devicesOnline, openAlerts, ...facility } = row;
      return { ...withIsoTime(facility), counts: { residents, devices, devicesOnline, openAlerts } };
    },
  );
};

function withIsoTime<T extends { createdAt: Date }>(row: T) {
  return { ...row, createdAt: iso(row.createdAt) };
}
