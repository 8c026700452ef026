import { READING_TABLE, alertEventTypeSchema, alertSchema, deviceKindSchema, type Alert } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext, RouteOptions } from '../http.js';
import {
  eventsOfAlert,
  getDevice,
  iso,
  readDeviceWindow,
  recordAccess,
  vitalsConsented,
  type Principal,
} from '@vigil/store';
import { alertView, can } from '../scope.js';
import { findAlert } from './alerts.js';

const ROW_LIMIT = 2000;
const readingValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);

const timelineSchema = z.object({
  alert: alertSchema,
  events: z.array(
    z.object({
      eventId: z.number().int(),
      event: alertEventTypeSchema,
      at: z.iso.datetime(),
      actor: z.string().nullable(),
    }),
  ),
  /** Who responded and how fast, in seconds from `raisedAt`. */
  response: z.object({
    acknowledgedBy: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    outcome: z.string().nullable(),
    secondsToAcknowledge: z.number().nullable(),
    secondsToResolve: z.number().nullable(),
    escalations: z.number().int(),
  }),
  window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
  device: z
    .object({
      /** Null for regulators: a device id identifies a resident's room. */
      id: z.string().nullable(),
      kind: deviceKindSchema,
      events: z.array(z.object({ time: z.iso.datetime(), type: z.string(), confidence: z.number().nullable() })),
      statusChanges: z.array(
        z.object({ time: z.iso.datetime(), source: z.string(), online: z.boolean(), battery: z.number().nullable() }),
      ),
      /** Readings in the window, non-null fields only. Vital signs are withheld without consent and from regulators. */
      readings: z.array(z.record(z.string(), readingValue)),
      readingsWithheld: z.boolean(),
    })
    .nullable(),
});

/**
 * An alert's timeline for safety officers and regulators: its lifecycle events, response times, and what its
 * device reported around it (events, status changes, readings).
 */
export const timelineRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/alerts/:id/timeline',
    {
      config: { action: 'timeline' },
      schema: {
        tags: ['alerts'],
        operationId: 'getAlertTimeline',
        summary: "An alert's lifecycle, response times and its device's data around it",
        description:
          'Readings of a vital-sign device only with the resident’s consent and never for regulators; reading a resident’s timeline is recorded in the audit log.',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({
          before: z.coerce.number().int().min(0).max(21_600).default(900).describe('seconds before the occurrence'),
          after: z.coerce.number().int().min(0).max(21_600).default(300).describe('seconds after the resolution'),
        }),
        response: { 200: timelineSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      const events = await eventsOfAlert(ctx.db, alert.id);
      const from = Date.parse(alert.occurredAt) - request.query.before * 1000;
      const end = alert.resolvedAt ? Date.parse(alert.resolvedAt) : ctx.clock.now();
      const to = Math.max(end, Date.parse(alert.raisedAt)) + request.query.after * 1000;
      if (alert.resident)
        await recordAccess(ctx.db, {
          actor: p.actor,
          action: 'resident.timeline.read',
          target: `resident:${alert.facility}/${alert.resident}`,
          facility: alert.facility,
          details: { alert: alert.id, from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        });
      const seconds = (at: string | null) =>
        at === null ? null : (Date.parse(at) - Date.parse(alert.raisedAt)) / 1000;
      return {
        alert: alertView(p, alert, ctx.directory),
        events: events.map((e) => ({
          eventId: Number(e.id),
          event: e.type as z.infer<typeof alertEventTypeSchema>,
          at: iso(e.at),
          actor: e.actor,
        })),
        response: {
          acknowledgedBy: alert.acknowledgedBy,
          resolvedBy: alert.resolvedBy,
          outcome: alert.outcome,
          secondsToAcknowledge: seconds(alert.acknowledgedAt),
          secondsToResolve: seconds(alert.resolvedAt),
          escalations: events.filter((e) => e.type === 'escalated').length,
        },
        window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        device: await deviceAround(ctx, p, alert, new Date(from), new Date(to)),
      };
    },
  );
};

async function deviceAround(ctx: ApiContext, principal: Principal, alert: Alert, from: Date, to: Date) {
  if (!alert.device) return null;
  const device = await getDevice(ctx.db, alert.device);
  if (!device) return null;
  const table = READING_TABLE[device.kind];
  const withheld =
    table === 'vitals' &&
    (!can(principal, 'vitals') || !alert.resident || !(await vitalsConsented(ctx.db, alert.facility, alert.resident)));
  const recorded = await readDeviceWindow(ctx.db, device.id, {
    from,
    to,
    limit: ROW_LIMIT,
    readings: withheld ? null : table,
  });
  const timed = <T extends { time: Date }>(row: T) => ({ ...row, time: iso(row.time) });
  return {
    id: principal.role === 'regulator' ? null : device.id,
    kind: device.kind,
    events: recorded.events.map(timed),
    statusChanges: recorded.statusChanges.map(timed),
    readings: recorded.readings.map(({ ts, ...fields }) => ({ time: new Date(ts).toISOString(), ...fields })),
    readingsWithheld: withheld,
  };
}
