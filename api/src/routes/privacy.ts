import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  consentScopeSchema,
  dataClassSchema,
  eraseResident,
  exportResident,
  getConsent,
  iso,
  listRetentionSettings,
  setConsent,
  setRetention,
  type Consent,
} from '@vigil/store';
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { NotFound } from '../errors.js';
import { assertFacility } from '../scope.js';
import { residentParams } from './residents.js';

const consentSchema = consentScopeSchema.extend({ recordedBy: z.string(), recordedAt: z.iso.datetime() });
const retentionSchema = z.object({
  dataClass: dataClassSchema,
  days: z.number().int(),
  updatedBy: z.string(),
  updatedAt: z.iso.datetime(),
});
const consentView = (c: Consent) => ({ ...c, recordedAt: iso(c.recordedAt) });

/**
 * Residents' consent, the copy of their data, its erasure, and retention per data class (PIPL Arts. 28–29, 45, 47;
 * GB/T 35273). Every answer and change here is recorded in the audit log.
 */
export const privacyRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const target = (facility: string, resident: string) => `resident:${facility}/${resident}`;

  app.get(
    '/residents/:facility/:resident/consent',
    {
      config: { action: 'vitals' },
      schema: {
        tags: ['privacy'],
        operationId: 'getConsent',
        summary: "A resident's recorded consent",
        description: 'null when none is recorded: then no vital signs are shown to anyone.',
        params: residentParams,
        response: { 200: z.object({ consent: consentSchema.nullable() }) },
      },
    },
    async (request) => {
      const { facility, resident } = request.params;
      await assertFacility(request.principal, facility, ctx.directory);
      const consent = await getConsent(ctx.db, facility, resident);
      return { consent: consent ? consentView(consent) : null };
    },
  );

  app.put(
    '/residents/:facility/:resident/consent',
    {
      config: { action: 'privacy' },
      schema: {
        tags: ['privacy'],
        operationId: 'setConsent',
        summary: "Record a resident's consent per scope (safety officer, admin)",
        description: 'Replaces the current consent; who recorded it and when are kept, and the change is audited.',
        params: residentParams,
        body: consentScopeSchema,
        response: { 200: consentSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const what = { action: 'resident.consent', facility, target: target(facility, resident), details: request.body };
      const consent = await change(ctx, p, what, async (tx) => {
        const row = await setConsent(tx, facility, resident, request.body, p.actor);
        if (!row) throw NotFound(`resident ${facility}/${resident} not found`);
        return row;
      });
      return consentView(consent);
    },
  );

  app.get(
    '/residents/:facility/:resident/export',
    {
      config: { action: 'privacy' },
      schema: {
        tags: ['privacy'],
        operationId: 'exportResident',
        summary: 'Everything held about a resident, as JSON (safety officer, admin)',
        description:
          'Registry row, consent, devices, alerts, vital signs (raw, up to 100 000 rows) and hourly rollups.',
        params: residentParams,
        response: {
          200: z.object({
            resident: z.record(z.string(), z.unknown()),
            consent: z.record(z.string(), z.unknown()).nullable(),
            devices: z.array(z.record(z.string(), z.unknown())),
            alerts: z.array(z.record(z.string(), z.unknown())),
            vitals: z.array(z.record(z.string(), z.unknown())),
            vitalsHourly: z.array(z.record(z.string(), z.unknown())),
          }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const what = { action: 'resident.export', facility, target: target(facility, resident) };
      const data = await change(ctx, p, what, async (tx) => {
        const found = await exportResident(tx, facility, resident);
        if (!found) throw NotFound(`resident ${facility}/${resident} not found`);
        return found;
      });
      // Dates and numeric strings as JSON: the export is a document, not a typed view.
      return JSON.parse(JSON.stringify(data)) as typeof data;
    },
  );

  app.post(
    '/residents/:facility/:resident/erase',
    {
      config: { action: 'privacy' },
      schema: {
        tags: ['privacy'],
        operationId: 'eraseResident',
        summary: "Erase a discharged resident's personal data after retention (safety officer, admin)",
        description:
          'Removes the name, thresholds, consent and every vital sign; the pseudonymous row stays for the kept alerts. ' +
          '409 when the resident is not discharged or the vitals retention since discharge has not passed.',
        params: residentParams,
        response: { 200: z.object({ erased: z.object({ vitals: z.number().int(), vitalsHourly: z.number().int() }) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const what = { action: 'resident.erase', facility, target: target(facility, resident) };
      const now = new Date(ctx.clock.now());
      const erased = await change(ctx, p, what, async (tx) => {
        const counts = await eraseResident(tx, facility, resident, now, ctx.retentionDays);
        if (!counts) throw NotFound(`resident ${facility}/${resident} not found`);
        return counts;
      });
      return { erased };
    },
  );

  app.get(
    '/retention',
    {
      config: { action: 'audit' },
      schema: {
        tags: ['privacy'],
        operationId: 'listRetention',
        summary: 'Retention per data class',
        description: 'Classes without a setting keep data for the deployment default (VIGIL_RETENTION_DAYS).',
        response: { 200: z.object({ defaultDays: z.number().int(), settings: z.array(retentionSchema) }) },
      },
    },
    async () => ({
      defaultDays: ctx.retentionDays,
      settings: (await listRetentionSettings(ctx.db)).map((s) => ({ ...s, updatedAt: iso(s.updatedAt) })),
    }),
  );

  app.put(
    '/retention/:dataClass',
    {
      config: { action: 'retention' },
      schema: {
        tags: ['privacy'],
        operationId: 'setRetention',
        summary: 'Set how many days a data class is kept (admin)',
        description: "Enforced by ingest's retention job at its next run; alerts are kept (hash-chained).",
        params: z.object({ dataClass: dataClassSchema }),
        body: z.strictObject({ days: z.number().int().min(1).max(36_500) }),
        response: { 200: retentionSchema },
      },
    },
    async (request) => {
      const { dataClass } = request.params;
      const what = { action: 'retention.set', facility: null, target: `retention:${dataClass}`, details: request.body };
      const s = await change(ctx, request.principal, what, (tx) =>
        setRetention(tx, dataClass, request.body.days, request.principal.actor),
      );
      return { ...s, updatedAt: iso(s.updatedAt) };
    },
  );
};
