import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** web/dist (the built web app, `npm run build -w web`), from api/src/routes and api/dist/routes alike. */
const WEB_DIST = new URL('../../../web/dist/', import.meta.url);
const PAGES = ['display', 'officer', 'regulator', 'staff'] as const;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  woff2: 'font/woff2',
};

const SECURITY_HEADERS = {
  // Everything is same-origin; no inline script, so a stored token cannot be lifted by injected markup.
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'",
  // The display may be opened as /display?token=…: never send that URL elsewhere.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

async function builtFile(path: string): Promise<Buffer | null> {
  return readFile(new URL(path, WEB_DIST)).catch(() => null);
}

/**
 * The web app's pages (`/display`, `/officer`, `/regulator`, `/staff`), the staff page's service worker and their
 * hashed assets, from the same origin;
 * read per request so a rebuilt app is served without a restart (docs/web.md).
 */
export const webPages: FastifyPluginAsyncZod = async (app) => {
  for (const page of PAGES) {
    app.get(`/${page}`, { schema: { hide: true } }, async (_request, reply) => {
      const html = await builtFile(`${page}/index.html`);
      if (!html) return reply.status(503).type('text/plain; charset=utf-8').send('web app not built: npm run build');
      return reply
        .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
        .type('text/html; charset=utf-8')
        .send(html);
    });
  }
  // Not cached: a browser checks its service worker for updates against this file.
  app.get('/staff-sw.js', { schema: { hide: true } }, async (_request, reply) => {
    const body = await builtFile('staff-sw.js');
    if (!body) return reply.callNotFound();
    return reply
      .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
      .type(TYPES.js!)
      .send(body);
  });
  app.get(
    '/assets/:file',
    { schema: { hide: true, params: z.object({ file: z.string().regex(/^[\w.-]+\.(js|css|svg|woff2)$/) }) } },
    async (request, reply) => {
      const { file } = request.params;
      const body = await builtFile(`assets/${file}`);
      if (!body) return reply.callNotFound();
      const type = TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
      // File names carry a content hash: a new build is a new name.
      return reply
        .headers({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=31536000, immutable' })
        .type(type)
        .send(body);
    },
  );
};
