import type { Principal } from '@vigil/store';
import {
  READING_TABLE,
  alertEventTypeSchema,
  alertSchema,
  deviceKindSchema,
  type Alert,
  type DeviceKind,
} from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext, RouteOptions } from '../http.js';
import { eventsOfAlert, iso } from '../db/alerts.js';
import { alertView, allow } from '../scope.js';
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
      id: z.string(),
      kind: deviceKindSchema,
      events: z.array(z.object({ time: z.iso.datetime(), type: z.string(), confidence: z.number().nullable() })),
      statusChanges: z.array(
        z.object({ time: z.iso.datetime(), source: z.string(), online: z.boolean(), battery: z.number().nullable() }),
      ),
      /** Readings in the window, non-null fields only. Vital signs are withheld from regulators. */
      readings: z.array(z.record(z.string(), readingValue)),
      readingsWithheld: z.boolean(),
    })
    .nullable(),
});

const VITALS = `time, hr, spo2, rr, sbp, dbp, skin_temp AS "skinTemp", worn, occupied, motion, sleep, battery`;
const ENVIRONMENT = `time, smoke, temp, lel, co, residual_ma AS "residualMa", cable_temp AS "cableTemp",
  current_a AS "currentA", open, motion, battery`;

/**
 * An alert's timeline for safety officers and regulators: its lifecycle events, response times, and what its
 * device reported around it (events, status changes, readings).
 */
export const timelineRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/alerts/:id/timeline',
    {
      schema: {
        tags: ['alerts'],
        summary: "An alert's lifecycle, response times and its device's data around it",
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
      allow(p, 'timeline');
      const alert = await findAlert(ctx, p, request.params.id);
      const events = await eventsOfAlert(ctx.db, alert.id);
      const from = Date.parse(alert.occurredAt) - request.query.before * 1000;
      const end = alert.resolvedAt ? Date.parse(alert.resolvedAt) : ctx.clock.now();
      const to = Math.max(end, Date.parse(alert.raisedAt)) + request.query.after * 1000;
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
  const { rows } = await ctx.db.query<{ kind: DeviceKind }>('SELECT kind FROM devices WHERE id = $1', [alert.device]);
  if (!rows[0]) return null;
  const kind = rows[0].kind;
  const table = READING_TABLE[kind];
  const withheld = table === 'vitals' && principal.role === 'regulator';
  const range = [alert.device, from, to, ROW_LIMIT];
  const between = 'device_id = $1 AND time >= $2 AND time <= $3 ORDER BY time LIMIT $4';
  const [events, status, readings] = await Promise.all([
    ctx.db.query(`SELECT time, type, confidence FROM device_events WHERE ${between}`, range),
    ctx.db.query(`SELECT time, source, online, battery FROM device_status WHERE ${between}`, range),
    withheld
      ? { rows: [] }
      : ctx.db.query(`SELECT ${table === 'vitals' ? VITALS : ENVIRONMENT} FROM ${table} WHERE ${between}`, range),
  ]);
  const timed = <T extends { time: Date }>(row: T) => ({ ...row, time: iso(row.time) });
  return {
    id: alert.device,
    kind,
    events: events.rows.map(timed),
    statusChanges: status.rows.map(timed),
    readings: readings.rows.map(
      (row: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(row)
            .filter(([, value]) => value !== null)
            .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
        ) as Record<string, z.infer<typeof readingValue>>,
    ),
    readingsWithheld: withheld,
  };
}
