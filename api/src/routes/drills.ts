import { ALERT_RULES, alertSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runCommand } from '../commands.js';
import type { RouteOptions } from '../context.js';
import { getAlert } from '../db/alerts.js';
import { Internal, Validation } from '../errors.js';
import { alertView, allow, assertFacility } from '../scope.js';

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
 * Manual drills (DESIGN.md "Drills"): a safety officer raises a drill alert that flows through the real path —
 * the alerts service raises it, displays show it with a drill badge, and responses are timed like real ones.
 */
export const drillRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/drills',
    {
      schema: {
        tags: ['drills'],
        summary: 'Start a manual drill (safety officer, admin): raises a drill alert',
        body: drillBodySchema,
        response: {
          201: z.object({ alert: alertSchema, eventId: z.number().int().nullable(), commandId: z.number() }),
        },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      allow(p, 'drill');
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
