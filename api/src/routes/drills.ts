import { ALERT_RULES, alertSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runCommand } from '../commands.js';
import type { RouteOptions } from '../http.js';
import { getAlert, listDrills } from '@vigil/store';
import { Internal, Validation } from '../errors.js';
import { alertView, assertFacility } from '../scope.js';

const drillBodySchema = z.object({
  facility: idSchema.optional().describe("default: the token's facility"),
  rule: z
    .enum(ALERT_RULES)
    .default('drill')
    .describe('the rule the drill alert imitates, e.g. fire; it is flagged `drill` everywhere'),
  resident: idSchema.optional(),
  location: idSchema.optional(),
  detail: z.string().min(1).max(200).optional(),
});

/**
 * Manual drills (docs/alerts.md "Drills"): a safety officer raises a drill alert that flows through the real path —
 * the alerts service raises it, displays show it with a drill badge, and responses are timed like real ones.
 */
const REPORT_LIMIT = 1000;
const DEFAULT_REPORT_DAYS = 365;

const drillReportSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  drills: z.array(
    z.object({
      alert: alertSchema,
      secondsToAcknowledge: z.number().nullable(),
      secondsToResolve: z.number().nullable(),
    }),
  ),
  summary: z.object({
    count: z.number().int(),
    acknowledged: z.number().int(),
    resolved: z.number().int(),
    medianSecondsToAcknowledge: z.number().nullable(),
    medianSecondsToResolve: z.number().nullable(),
  }),
});

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const secondsAfter = (start: string, end: string | null) =>
  end === null ? null : (Date.parse(end) - Date.parse(start)) / 1000;

export const drillRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/drills',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['drills'],
        operationId: 'listDrills',
        summary: 'Drills in scope with their response times, reported apart from real alerts',
        description: 'Drill alerts raised in the period with their acknowledgement and resolution times.',
        querystring: z.object({
          facility: idSchema.optional(),
          from: z.iso.datetime().optional().describe(`default: ${DEFAULT_REPORT_DAYS} days before \`to\``),
          to: z.iso.datetime().optional().describe('default: now'),
        }),
        response: { 200: drillReportSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const q = request.query;
      if (q.facility) await assertFacility(p, q.facility, ctx.directory);
      const to = q.to ?? new Date(ctx.clock.now()).toISOString();
      const from = q.from ?? new Date(Date.parse(to) - DEFAULT_REPORT_DAYS * 86_400_000).toISOString();
      const alerts = await listDrills(ctx.db, p, { facility: q.facility, from, to, limit: REPORT_LIMIT });
      await Promise.all(alerts.map((a) => ctx.directory.ensure(a.facility, a.resident)));
      const drills = alerts.map((alert) => ({
        alert: alertView(p, alert, ctx.directory),
        secondsToAcknowledge: secondsAfter(alert.raisedAt, alert.acknowledgedAt),
        secondsToResolve: secondsAfter(alert.raisedAt, alert.resolvedAt),
      }));
      const acks = drills.flatMap((d) => (d.secondsToAcknowledge === null ? [] : [d.secondsToAcknowledge]));
      const resolutions = drills.flatMap((d) => (d.secondsToResolve === null ? [] : [d.secondsToResolve]));
      return {
        from,
        to,
        drills,
        summary: {
          count: drills.length,
          acknowledged: acks.length,
          resolved: resolutions.length,
          medianSecondsToAcknowledge: median(acks),
          medianSecondsToResolve: median(resolutions),
        },
      };
    },
  );

  app.post(
    '/drills',
    {
      config: { action: 'drill' },
      schema: {
        tags: ['drills'],
        operationId: 'startDrill',
        summary: 'Start a manual drill (safety officer, admin): raises a drill alert',
        description: 'Goes through the alerts service like every alert; answers with the raised drill alert.',
        body: drillBodySchema,
        response: {
          201: z.object({ alert: alertSchema, eventId: z.number().int().nullable(), commandId: z.number() }),
        },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { facility: requested, ...args } = request.body;
      const facility = requested ?? p.facility;
      if (!facility) throw Validation('body/facility: required for tokens without a facility');
      await assertFacility(p, facility, ctx.directory);
      const result = await runCommand(ctx, {
        facility,
        alertId: null,
        command: 'drill',
        actor: p.actor,
        args,
        // The alerts service gives each manual drill its own subject, `drill:<command id>`.
        matches: (e, commandId) => e.event === 'raised' && e.alert.drill && e.alert.subject === `drill:${commandId}`,
      });
      const alert = result.event?.alert ?? (result.alertId ? await getAlert(ctx.db, result.alertId) : null);
      if (!alert) throw Internal(`drill command ${result.commandId} was processed but its alert is unknown`);
      return reply.status(201).send({
        alert: alertView(p, alert, ctx.directory),
        eventId: result.event?.eventId ?? null,
        commandId: result.commandId,
      });
    },
  );
};
