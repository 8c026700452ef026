import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import helmet, { contentSecurityPolicy } from 'helmet';

/** A same-origin CSP for the wall display and the web app (docs/api.md "Rate limits and headers"). */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", (request: IncomingMessage) => ownWebSocket(request)],
  frameAncestors: ["'none'"],
  // The edge often serves plain http on the care home's network: never make browsers switch to https.
  upgradeInsecureRequests: null,
};
/** Distinct Host headers whose CSP is kept per scheme; the Host header is the client's to choose, so the cache is bounded. */
const MAX_CACHED_HOSTS = 64;

type Middleware = (request: IncomingMessage, response: ServerResponse, next: (err?: unknown) => void) => void;

/** The WebSocket stream's own origin, which CSP's 'self' does not name in every browser. */
function ownWebSocket(request: IncomingMessage): string {
  return `${(request.socket as TLSSocket).encrypted ? 'wss' : 'ws'}://${request.headers.host}`;
}

/** The headers a helmet middleware sets for this request, or the error it refuses the request with. */
function recorded(middleware: Middleware, request: IncomingMessage): Record<string, string> | Error {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  };
  let refused: Error | undefined;
  middleware(request, recorder as unknown as ServerResponse, (err) => (refused = err as Error | undefined));
  return refused ?? headers;
}

/** The headers a helmet middleware sets when nothing of the request goes into them. */
function requestFree(middleware: Middleware): [string, string][] {
  return Object.entries(recorded(middleware, { headers: {} } as IncomingMessage) as Record<string, string>);
}

/**
 * Helmet's headers, computed once instead of on every request (helmet's middleware set a dozen headers one by one, and
 * @fastify/helmet even rebuilt it per request): all but the CSP are the same for every request; the CSP names the
 * stream's origin, so it is computed once per scheme and Host. Helmet still validates it: a Host it refuses (one
 * that would inject a directive), like a request without one, gets `connect-src 'self'` alone, and is not cached.
 */
function headersByRequest(): (request: IncomingMessage) => [string, string][] {
  const fixed = requestFree(helmet({ contentSecurityPolicy: false, referrerPolicy: { policy: 'no-referrer' } }));
  const csp = contentSecurityPolicy({ directives: CSP_DIRECTIVES });
  const noHost = [
    ...requestFree(contentSecurityPolicy({ directives: { ...CSP_DIRECTIVES, connectSrc: ["'self'"] } })),
    ...fixed,
  ];
  // Per scheme, by Host: the cache is read on every request, so its key is the header itself, not a string built.
  const byHost = {
    ws: new Map<string | undefined, [string, string][]>(),
    wss: new Map<string | undefined, [string, string][]>(),
  };
  return (request) => {
    const hosts = (request.socket as TLSSocket).encrypted ? byHost.wss : byHost.ws;
    const cached = hosts.get(request.headers.host);
    if (cached) return cached;
    const headers = request.headers.host ? recorded(csp, request) : undefined;
    if (!headers || headers instanceof Error) return noHost;
    if (hosts.size >= MAX_CACHED_HOSTS) hosts.clear();
    const all = [...Object.entries(headers), ...fixed];
    hosts.set(request.headers.host, all);
    return all;
  };
}

type WriteHeadArgs = [statusMessage?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: unknown];

/**
 * The server's response class (`http.createServer({ ServerResponse })`, http.ts): it adds helmet's headers when the
 * head is written, to those the route set, which win. Fastify writes its headers in one `writeHead(status, headers)`;
 * adding ours to that object keeps node on its path for a head given whole, where setting them on the response
 * first (`setHeader`, a dozen name and value checks and entries) made node merge the two, header by header: about
 * 1 µs a request (docs/api.md "Benchmark"). The route's names are lowercase, as fastify keeps them.
 */
export function secureResponseClass(): typeof ServerResponse<IncomingMessage> {
  const headersOf = headersByRequest();
  return class SecureResponse extends ServerResponse {
    override writeHead(statusCode: number, ...args: WriteHeadArgs): this {
      const [reason, given] = typeof args[0] === 'string' ? [args[0], args[1]] : [undefined, args[0]];
      const own = headersOf(this.req);
      if (given === undefined || (typeof given === 'object' && given !== null && !Array.isArray(given))) {
        const headers = (given ?? {}) as OutgoingHttpHeaders;
        for (const [name, value] of own)
          if (headers[name] === undefined && !this.hasHeader(name)) headers[name] = value;
        return super.writeHead(statusCode, reason, headers);
      }
      // A raw list of names and values: ours go on the response, which node merges with it.
      for (const [name, value] of own) if (!this.hasHeader(name)) this.setHeader(name, value);
      return super.writeHead(statusCode, reason, given as OutgoingHttpHeader[]);
    }
  };
}
