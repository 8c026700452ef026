import { idSchema } from '@vigil/protocol';
import {
  facilityShiftSchema,
  facilityFalseAlarmsSchema,
  falseAlarmAnalytics,
  falseAlarmReportSchema,
  falseAlarmsByFacility,
  getFacility,
  listFacilityShifts,
  responseAnalytics,
  responseGroupSchema,
  type FacilityFalseAlarms,
  type FalseAlarmReport,
  type Principal,
  type ResponseGroup,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toCsv, wantsCsv } from '../csv.js';
import { Validation } from '../errors.js';
import type { ApiContext, RouteOptions } from '../http.js';
import { assertFacility } from '../scope.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

const periodQuerySchema = z.object({
  facility: idSchema.optional().describe("default: the token's facility"),
  from: z.iso.datetime({ offset: true }).optional().describe(`default: ${DEFAULT_DAYS} days before \`to\``),
  to: z.iso.datetime({ offset: true }).optional().describe('default: now'),
});
type PeriodQuery = z.infer<typeof periodQuerySchema>;

const periodSchema = z.object({
  facility: idSchema,
  timezone: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
});

const responseReportSchema = periodSchema.extend({
  shifts: z.array(facilityShiftSchema),
  /** False: the facility configured none, these are the defaults (early, middle, night). */
  shiftsConfigured: z.boolean(),
  groups: z.array(responseGroupSchema),
});

/** The period asked for, at most MAX_DAYS long and ending by default now (400 otherwise). */
function span(ctx: ApiContext, q: Omit<PeriodQuery, 'facility'>) {
  const to = new Date(q.to ?? ctx.clock.now());
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
  if (from >= to) throw Validation('querystring/from: must be before `to`');
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS)
    throw Validation(`querystring/from: the period is at most ${MAX_DAYS} days`);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** The facility and period asked for, in scope and at most MAX_DAYS long (400 otherwise, 404 outside scope). */
async function period(ctx: ApiContext, p: Principal, q: PeriodQuery) {
  const facility = q.facility ?? p.facility;
  if (!facility) throw Validation('querystring/facility: required for tokens without a facility');
  await assertFacility(p, facility, ctx.directory);
  const { timezone } = (await getFacility(ctx.db, facility))!;
  return { facility, timezone, ...span(ctx, q) };
}

const csvHead = (what: string) => `\`Accept: text/csv\`: ${what} as CSV.`;

function responseCsv(groups: ResponseGroup[]): string {
  const times = ['toAcknowledge', 'toPresence', 'toResolve'] as const;
  return toCsv([
    [
      'drill',
      'by',
      'key',
      'count',
      'acknowledged',
      'present',
      'resolved',
      ...times.flatMap((t) => [`${t}Median`, `${t}P90`]),
    ],
    ...groups.map((g) => [
      g.drill,
      g.by,
      g.key,
      g.count,
      g.acknowledged,
      g.present,
      g.resolved,
      ...times.flatMap((t) => [g[t].median, g[t].p90]),
    ]),
  ]);
}

function falseAlarmCsv(r: FalseAlarmReport): string {
  return toCsv([
    ['by', 'key', 'kind', 'count', 'judged', 'falseAlarms', 'deviceFaults', 'share'],
    ...r.byRule.map((x) => ['rule', x.rule, null, x.count, x.judged, x.falseAlarms, x.deviceFaults, x.share]),
    ...r.byDevice.map((x) => ['device', x.device, x.kind, x.count, x.judged, x.falseAlarms, x.deviceFaults, x.share]),
  ]);
}

function facilityFalseAlarmsCsv(rows: FacilityFalseAlarms[]): string {
  return toCsv([
    ['facility', 'name', 'count', 'judged', 'falseAlarms', 'deviceFaults', 'share', 'noisiestRule'],
    ...rows.map((x) => [x.facility, x.name, x.count, x.judged, x.falseAlarms, x.deviceFaults, x.share, x.noisiestRule]),
  ]);
}

/**
 * The safety officer's and the regulator's analytics (docs/api.md "Response analytics"): response times per shift
 * and rule, drills apart, and false alarms per rule and device. Pseudonymous: groups of alerts, no resident, and
 * devices by kind and number for regulators.
 */
export const analyticsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/analytics/response',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['analytics'],
        operationId: 'getResponseAnalytics',
        summary:
          'Response times of a facility per shift and per rule: median and p90 to acknowledge, presence, resolve',
        description:
          "Alerts raised in [from, to), grouped by the facility's shifts (in its time zone) and by rule, drills apart " +
          `from real alerts; seconds from raised. ${csvHead('one row per group')}`,
        querystring: periodQuerySchema,
        response: { 200: z.union([responseReportSchema, z.string().describe('the CSV form')]) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const q = await period(ctx, p, request.query);
      const [groups, { shifts, configured }] = await Promise.all([
        responseAnalytics(ctx.db, p, q),
        listFacilityShifts(ctx.db, q.facility),
      ]);
      if (wantsCsv(request.headers.accept)) return reply.type('text/csv; charset=utf-8').send(responseCsv(groups));
      return { ...q, shifts, shiftsConfigured: configured, groups };
    },
  );

  app.get(
    '/analytics/false-alarms',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['analytics'],
        operationId: 'getFalseAlarmAnalytics',
        summary: "False alarms of a facility's real alerts per rule and per device, the noisiest first",
        description:
          'From the outcomes caregivers recorded (false_alarm, device_fault) on alerts raised in [from, to); ' +
          `regulators see devices by kind and number. ${csvHead('one row per rule and per device')}`,
        querystring: periodQuerySchema,
        response: { 200: z.union([periodSchema.extend(falseAlarmReportSchema.shape), z.string()]) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const q = await period(ctx, p, request.query);
      const report = await falseAlarmAnalytics(ctx.db, p, { ...q, pseudonymous: p.role === 'regulator' });
      if (wantsCsv(request.headers.accept)) return reply.type('text/csv; charset=utf-8').send(falseAlarmCsv(report));
      return { ...q, ...report };
    },
  );

  app.get(
    '/analytics/false-alarms/facilities',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['analytics'],
        operationId: 'getFalseAlarmsByFacility',
        summary: 'False-alarm rates of every facility in scope (a regulator’s region), the highest share first',
        description:
          'Real alerts raised in [from, to) per facility: how many, how many a caregiver resolved with an outcome, ' +
          'false alarms and device faults, their share and the noisiest rule; facilities without alerts with zeros. ' +
          `Counts only, nothing of a resident or device. ${csvHead('one row per facility')}`,
        querystring: periodQuerySchema.omit({ facility: true }),
        response: {
          200: z.union([
            z.object({ from: z.iso.datetime(), to: z.iso.datetime(), facilities: z.array(facilityFalseAlarmsSchema) }),
            z.string().describe('the CSV form'),
          ]),
        },
      },
    },
    async (request, reply) => {
      const q = span(ctx, request.query);
      const facilities = await falseAlarmsByFacility(ctx.db, request.principal, q);
      if (wantsCsv(request.headers.accept)) {
        return reply.type('text/csv; charset=utf-8').send(facilityFalseAlarmsCsv(facilities));
      }
      return { ...q, facilities };
    },
  );
};
