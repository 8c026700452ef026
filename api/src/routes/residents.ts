import { careLevelSchema, deviceKindSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import {
  countOpenAlertsOf,
  getResidentInScope,
  iso,
  listResidentDevices,
  listResidentsInScope,
  readLatestVitals,
} from '@vigil/store';
import type { ReadingSample } from '@vigil/protocol';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { allow, assertFacility } from '../scope.js';

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
      const rows = await listResidentsInScope(ctx.db, p, {
        facility,
        after: after ? [after[0]!, after[1]!] : undefined,
        limit: limit + 1,
      });
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
      const found = await getResidentInScope(ctx.db, p, request.params.facility, request.params.resident);
      if (!found) throw NotFound(`resident ${request.params.facility}/${request.params.resident} not found`);
      const { resident, realId } = found;
      const [devices, openAlerts, vitals] = await Promise.all([
        listResidentDevices(ctx.db, resident.facility, realId),
        countOpenAlertsOf(ctx.db, resident.facility, realId),
        regulator ? null : readLatestVitals(ctx.db, resident.facility, realId),
      ]);
      return {
        ...resident,
        devices: devices.map((d) => ({
          id: d.id,
          kind: d.kind,
          online: d.online,
          battery: d.battery,
          lastSeenAt: iso(d.lastSeenAt),
        })),
        openAlerts,
        ...(vitals ? { latestVitals: vitals.map(({ device, sample }) => vitalsView(device, sample)) } : {}),
      };
    },
  );
};

const VITAL_KEYS = Object.keys(vitalsSchema.shape).filter((key) => key !== 'device' && key !== 'time');

/** A sample in the response's shape: every field of the schema present, null when not measured. */
function vitalsView(device: string, sample: ReadingSample): z.infer<typeof vitalsSchema> {
  const values = Object.fromEntries(VITAL_KEYS.map((key) => [key, sample[key] ?? null]));
  return { device, time: new Date(sample.ts).toISOString(), ...values } as z.infer<typeof vitalsSchema>;
}
