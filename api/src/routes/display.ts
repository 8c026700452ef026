import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { Validation } from '../errors.js';
import { assertFacility } from '../scope.js';
import { readDisplayNames } from '@vigil/store';

/** The longest pause of a display's alarm sound (docs/web.md "Wall display": at most 2 minutes). */
export const SOUND_PAUSE_S = 120;

const labelsSchema = z.object({
  facility: z.object({ id: idSchema, name: z.string() }),
  residents: z.record(z.string(), z.string().nullable()),
  locations: z.record(z.string(), z.string().nullable()),
});

/**
 * Names for the ids in alerts (residents, locations) of one facility, so that a wall display shows "Anna, room
 * 12" rather than ids. Facility staff and displays only: regulators never see names.
 */
export const displayApi: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/display/labels',
    {
      config: { action: 'labels' },
      schema: {
        tags: ['display'],
        operationId: 'getDisplayLabels',
        summary: "Names of a facility's residents and locations for the wall display",
        description: 'Facility staff and displays only: regulators never see names.',
        querystring: z.object({ facility: idSchema.optional() }),
        response: { 200: labelsSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const facility = request.query.facility ?? p.facility;
      if (!facility) throw Validation('querystring/facility: required for tokens without a facility');
      await assertFacility(p, facility, ctx.directory);
      const names = await readDisplayNames(ctx.db, facility);
      const byId = (rows: { id: string; name: string | null }[]) => Object.fromEntries(rows.map((r) => [r.id, r.name]));
      // assertFacility has made sure the facility exists.
      return { facility: names.facility!, residents: byId(names.residents), locations: byId(names.locations) };
    },
  );

  app.post(
    '/display/sound-pause',
    {
      config: { action: 'respond' },
      schema: {
        tags: ['display'],
        operationId: 'pauseDisplaySound',
        summary: "Pause a wall display's alarm sound for at most 2 minutes (caregiver, safety officer, admin)",
        description:
          'A display token alone may not pause: the caregiver at the display gives their own credential, so the ' +
          'audit log (`display.sound.pause`) says who silenced which display. The display counts the pause down and ' +
          'ends it at once when a new critical alert arrives.',
        body: z.strictObject({
          facility: idSchema.optional(),
          display: z.string().max(200).optional().describe('which display (its label), for the record'),
        }),
        response: {
          200: z.object({ seconds: z.number().int(), until: z.iso.datetime(), pausedBy: z.string() }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      const facility = request.body.facility ?? p.facility;
      if (!facility) throw Validation('body/facility: required for tokens without a facility');
      await assertFacility(p, facility, ctx.directory);
      const until = new Date(ctx.clock.now() + SOUND_PAUSE_S * 1000).toISOString();
      const display = request.body.display ?? null;
      const what = {
        action: 'display.sound.pause',
        facility,
        target: `facility:${facility}`,
        details: { seconds: SOUND_PAUSE_S, display },
      };
      await change(ctx, p, what, async () => undefined);
      ctx.log.info({ facility }, 'display sound paused (who: audit log)');
      return { seconds: SOUND_PAUSE_S, until, pausedBy: p.actor };
    },
  );

  app.get(
    '/me',
    {
      config: { action: 'session' },
      schema: {
        tags: ['session'],
        operationId: 'getSession',
        summary: 'Who the token speaks for',
        description: 'The role and scope of the bearer token.',
        response: {
          200: z.object({
            role: z.string(),
            facility: z.string().nullable(),
            region: z.string().nullable(),
            actor: z.string(),
          }),
        },
      },
    },
    // Synchronous: nothing to wait for, so no promise for fastify to wait on either.
    (request) => {
      const { role, facility, region, actor } = request.principal;
      return { role, facility, region, actor };
    },
  );
};
