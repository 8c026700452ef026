import { readFile } from 'node:fs/promises';
import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { Validation } from '../errors.js';
import { assertFacility } from '../scope.js';
import { readDisplayNames } from '@vigil/store';

/** api/public, from src/routes and from dist/routes alike. */
const PUBLIC_DIR = new URL('../../public/', import.meta.url);
const ASSETS = {
  '/display': { file: 'display.html', type: 'text/html; charset=utf-8' },
  '/display/display.js': { file: 'display.js', type: 'text/javascript; charset=utf-8' },
  '/display/display.css': { file: 'display.css', type: 'text/css; charset=utf-8' },
} as const;

const SECURITY_HEADERS = {
  // Everything is same-origin; no inline script, so a stored token cannot be lifted by injected markup.
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'",
  // The page may be opened as /display?token=…: never send that URL elsewhere.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** The caregivers' wall display: static HTML + vanilla JS + CSS, no build step (see docs/api.md "Wall display"). */
export const displayPage: FastifyPluginAsyncZod = async (app) => {
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = await readFile(new URL(asset.file, PUBLIC_DIR));
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      reply.headers(SECURITY_HEADERS).type(asset.type).send(body),
    );
  }
};

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
    async (request) => {
      const { role, facility, region, actor } = request.principal;
      return { role, facility, region, actor };
    },
  );
};
