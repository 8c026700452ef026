import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getResidentInScope, VITAL_METRICS, vitalsConsented, vitalsHistory } from '@vigil/store';
import type { RouteOptions } from '../http.js';
import { NotFound } from '../errors.js';
import { recordVitalsRead, residentParams } from './residents.js';

const BUCKETS = { '1m': 60, '5m': 300, '1h': 3600 } as const;
const statSchema = z.object({ count: z.number().int(), min: z.number(), avg: z.number(), max: z.number() }).nullable();
const bucketSchema = z.object({
  time: z.iso.datetime(),
  samples: z.number().int(),
  ...Object.fromEntries(VITAL_METRICS.map(([, field]) => [field, statSchema])),
});

/** A resident's vital signs over time, in buckets over the raw readings and the hourly rollups. */
export const vitalsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/residents/:facility/:resident/vitals',
    {
      config: { action: 'vitals' },
      schema: {
        tags: ['residents'],
        operationId: 'getVitalsHistory',
        summary: "A resident's vital signs in buckets of 1 min, 5 min or 1 h: count, min, average, max per sign",
        description:
          'Ranges longer than two days with `bucket=1h` come from the hourly rollups. Without the resident’s consent ' +
          'to vitals the buckets are empty and `vitalsWithheld` is `consent`; every answer with vital signs is audited.',
        params: residentParams,
        querystring: z.object({
          from: z.iso.datetime({ offset: true }),
          to: z.iso.datetime({ offset: true }),
          bucket: z.enum(['1m', '5m', '1h']).default('5m'),
        }),
        response: {
          200: z.object({
            bucketSeconds: z.number().int(),
            source: z.enum(['raw', 'rollup', 'mixed']),
            vitalsWithheld: z.enum(['consent']).nullable(),
            buckets: z.array(bucketSchema),
          }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      const found = await getResidentInScope(ctx.db, p, facility, resident);
      if (!found) throw NotFound(`resident ${facility}/${resident} not found`);
      const q = { facility, resident: found.realId, from: request.query.from, to: request.query.to };
      const bucketSeconds = BUCKETS[request.query.bucket];
      if (!(await vitalsConsented(ctx.db, facility, found.realId))) {
        return { bucketSeconds, source: 'raw' as const, vitalsWithheld: 'consent' as const, buckets: [] };
      }
      const history = await vitalsHistory(ctx.db, { ...q, bucket: bucketSeconds });
      await recordVitalsRead(ctx, p, facility, found.realId, { route: 'history', ...request.query });
      return {
        ...history,
        vitalsWithheld: null,
        buckets: history.buckets.map((b) => ({ ...b, time: b.time.toISOString() })),
      };
    },
  );
};
