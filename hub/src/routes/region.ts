import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listRegionAlerts, listRegionFacilities, listRegionPlans, listRegionSummaries } from '@vigil/store';
import { idSchema } from '@vigil/protocol';
import { z } from 'zod';
import { HubNotFound } from '../errors.js';
import type { RegionContext } from '../http.js';

const period = z.object({ from: z.iso.datetime(), to: z.iso.datetime() });

/** Hour and minute (UTC) of a finding's time: "no data since 02:10". */
function clockTime(at: string): string {
  return at.slice(11, 16);
}

/**
 * `/region/v1`: facilities with their live status and silence findings, alerts with response times, each
 * facility's coverage trend, and the plans and drills with the overdue ones flagged. Everything in the regional database is pseudonymous already (docs/hub.md "Privacy").
 */
export const regionRoutes: FastifyPluginAsyncZod<{ ctx: RegionContext }> = async (app, { ctx }) => {
  app.get('/region/v1/facilities', async () => {
    const facilities = await listRegionFacilities(ctx.db, ctx.clock.now());
    return {
      facilities,
      findings: facilities
        .filter((f) => f.silentSince !== null)
        .map((f) => ({
          facility: f.facility,
          kind: 'silent',
          since: f.silentSince,
          message: `Facility ${f.facility}: no data since ${clockTime(f.silentSince!)}`,
        })),
    };
  });

  app.get(
    '/region/v1/alerts',
    {
      schema: {
        querystring: z.object({
          facility: idSchema.optional(),
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
        }),
      },
    },
    async (request) => ({ alerts: await listRegionAlerts(ctx.db, request.query) }),
  );

  app.get(
    '/region/v1/plans',
    { schema: { querystring: z.object({ facility: idSchema.optional() }) } },
    async (request) => {
      const plans = await listRegionPlans(ctx.db, ctx.clock.now(), request.query.facility);
      return {
        plans: plans.map((p) => ({ ...p, overdue: p.reviewOverdue || p.drillOverdue || p.missedDrills.length > 0 })),
      };
    },
  );

  app.get(
    '/region/v1/facilities/:facility/coverage',
    { schema: { params: z.object({ facility: idSchema }), querystring: period } },
    async (request) => {
      const { facility } = request.params;
      const known = (await listRegionFacilities(ctx.db, ctx.clock.now())).some((f) => f.facility === facility);
      if (!known) throw HubNotFound(`no facility ${facility} in this region`);
      return { facility, summaries: await listRegionSummaries(ctx.db, facility, request.query.from, request.query.to) };
    },
  );
};
