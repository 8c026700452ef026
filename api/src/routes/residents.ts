import { careLevelSchema, deviceKindSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext, RouteOptions } from '../http.js';
import { ruleOverridesSchema, settingsInForce } from '@vigil/alerts';
import {
  addResident,
  countOpenAlertsOf,
  dischargeResident,
  FALL_RISKS,
  residentInputSchema,
  updateResident,
  getResidentInScope,
  iso,
  listResidentDevices,
  listResidentsInScope,
  readLatestVitals,
  readResidentOverrides,
  recordAccess,
  vitalsConsented,
  type Principal,
} from '@vigil/store';
import type { ReadingSample } from '@vigil/protocol';
import { change } from '../audit.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { assertFacility, can } from '../scope.js';

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
export const residentParams = z.object({ facility: idSchema, resident: z.string().min(1).max(64) });
const residentPatchSchema = z.strictObject({
  name: z.string().max(200).nullable().optional(),
  careLevel: careLevelSchema.optional(),
  fallRisk: z.enum(FALL_RISKS).optional(),
  wanderRisk: z.boolean().optional(),
  location: idSchema.nullable().optional(),
  thresholds: ruleOverridesSchema
    .optional()
    .describe('per-resident rule overrides (docs/rules.md "Settings and overrides")'),
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
  /**
   * The newest reading of each of the resident's vital-sign devices within a day; only with the resident's consent
   * to vitals, never for regulators.
   */
  latestVitals: z.array(vitalsSchema).optional(),
  /** Why `latestVitals` is absent: `consent` (none recorded for vitals) or `role`; null when present. */
  vitalsWithheld: z.enum(['consent', 'role']).nullable(),
});

const settingValue = z.union([z.number(), z.string(), z.boolean()]);
const thresholdsSchema = z.object({
  settings: z.array(
    z.object({
      section: z.string().describe('a rule, or `night`'),
      key: z.string(),
      default: settingValue,
      facility: settingValue.nullable().describe("the facility's override, null when it keeps the default"),
      resident: settingValue.nullable().describe("the resident's override, null when it follows the facility"),
      effective: settingValue.describe('what the rules apply'),
    }),
  ),
  ignored: z.array(z.string()).describe('stored leaves the rules ignore (invalid or unknown), with the reason'),
});

export const residentRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/residents',
    {
      config: { action: 'residents' },
      schema: {
        tags: ['residents'],
        operationId: 'listResidents',
        summary: 'List residents in scope (pseudonymous for regulators)',
        description: 'Keyset-paged by (facility, id); regulators see pseudonyms and no names.',
        querystring: z.object({ facility: idSchema.optional(), ...pageQuery }),
        response: { 200: z.object({ residents: z.array(residentSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
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
      config: { action: 'residents' },
      schema: {
        tags: ['residents'],
        operationId: 'getResident',
        summary: "A resident's current status: devices, open alerts and latest vital signs",
        description:
          'Latest vital signs only with the resident’s consent to vitals and never for regulators; every answer with vital signs is recorded in the audit log. Regulators get no devices.',
        params: residentParams,
        response: { 200: residentDetailSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const found = await getResidentInScope(ctx.db, p, request.params.facility, request.params.resident);
      if (!found) throw NotFound(`resident ${request.params.facility}/${request.params.resident} not found`);
      const { resident, realId } = found;
      const consented = can(p, 'vitals') && (await vitalsConsented(ctx.db, resident.facility, realId));
      const withheld = consented ? null : can(p, 'vitals') ? ('consent' as const) : ('role' as const);
      const [devices, openAlerts, vitals] = await Promise.all([
        p.role === 'regulator' ? [] : listResidentDevices(ctx.db, resident.facility, realId),
        countOpenAlertsOf(ctx.db, resident.facility, realId),
        withheld ? null : readLatestVitals(ctx.db, resident.facility, realId),
      ]);
      if (vitals) await recordVitalsRead(ctx, p, resident.facility, realId, { route: 'latest' });
      return {
        ...resident,
        vitalsWithheld: withheld,
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

  app.get(
    '/residents/:facility/:resident/thresholds',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['residents'],
        operationId: 'getResidentThresholds',
        summary:
          "The rule settings in force for a resident: default, facility's and resident's own (safety officer, admin)",
        description:
          'Every leaf of the rules\' settings (docs/rules.md "Settings and overrides") with its default, the facility\'s ' +
          "override, the resident's override and the value the rules apply; `PATCH` with `thresholds` replaces the " +
          "resident's overrides.",
        params: residentParams,
        response: { 200: thresholdsSchema },
      },
    },
    async (request) => {
      const { facility, resident } = request.params;
      const stored = await readResidentOverrides(ctx.db, request.principal, facility, resident);
      if (!stored) throw NotFound(`resident ${facility}/${resident} not found`);
      return settingsInForce(stored.facility, stored.resident);
    },
  );

  const current = async (principal: Principal, facility: string, id: string) => {
    const found = await getResidentInScope(ctx.db, principal, facility, id);
    if (!found) throw NotFound(`resident ${facility}/${id} not found`);
    return found.resident;
  };

  app.post(
    '/residents/:facility',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['residents'],
        operationId: 'createResident',
        summary: 'Admit a resident (safety officer, admin)',
        description: 'No consent is recorded yet, so no vital signs are shown until `PUT …/consent`.',
        params: z.object({ facility: idSchema }),
        body: residentInputSchema.omit({ facility: true }),
        response: { 201: residentSchema },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { facility } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const input = { ...request.body, facility };
      const what = { action: 'resident.create', facility, target: `resident:${facility}/${input.id}` };
      await change(ctx, p, what, (tx) => addResident(tx, input));
      await ctx.directory.load([facility]);
      return reply.status(201).send(await current(p, facility, input.id));
    },
  );

  app.patch(
    '/residents/:facility/:resident',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['residents'],
        operationId: 'updateResident',
        summary: "Change a resident's care level, risks, room or rule thresholds (safety officer, admin)",
        description:
          "`thresholds` (the night window included) is validated strictly by the rules' override schema and replaces " +
          'the stored thresholds; fields left out are not changed. A discharged resident is 404.',
        params: residentParams,
        body: residentPatchSchema,
        response: { 200: residentSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      await assertFacility(p, facility, ctx.directory);
      // The details say which fields changed, not their values: a name or threshold is personal information.
      const details = { fields: Object.keys(request.body) };
      const what = { action: 'resident.update', facility, target: `resident:${facility}/${resident}`, details };
      await change(ctx, p, what, (tx) => updateResident(tx, facility, resident, request.body));
      return current(p, facility, resident);
    },
  );

  app.post(
    '/residents/:facility/:resident/discharge',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['residents'],
        operationId: 'dischargeResident',
        summary: 'Discharge a resident (safety officer, admin)',
        description: 'The resident becomes inactive and their devices unassigned; erasure is possible after retention.',
        params: residentParams,
        response: { 200: residentSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const what = { action: 'resident.discharge', facility, target: `resident:${facility}/${resident}` };
      await change(ctx, p, what, (tx) => dischargeResident(tx, facility, resident));
      return current(p, facility, resident);
    },
  );
};

/** Every answer carrying a resident's vital signs is an audit entry (PIPL Art. 47): who, when, what. */
export async function recordVitalsRead(
  ctx: ApiContext,
  principal: Principal,
  facility: string,
  resident: string,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAccess(ctx.db, {
    actor: principal.actor,
    action: 'resident.vitals.read',
    target: `resident:${facility}/${resident}`,
    facility,
    details,
  });
}

const VITAL_KEYS = Object.keys(vitalsSchema.shape).filter((key) => key !== 'device' && key !== 'time');

/** A sample in the response's shape: every field of the schema present, null when not measured. */
function vitalsView(device: string, sample: ReadingSample): z.infer<typeof vitalsSchema> {
  const values = Object.fromEntries(VITAL_KEYS.map((key) => [key, sample[key] ?? null]));
  return { device, time: new Date(sample.ts).toISOString(), ...values } as z.infer<typeof vitalsSchema>;
}
