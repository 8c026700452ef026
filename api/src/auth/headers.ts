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
function headersByRequest(): (request: IncomingMessage) => OwnHeaders {
  const fixed = requestFree(helmet({ contentSecurityPolicy: false, referrerPolicy: { policy: 'no-referrer' } }));
  const csp = contentSecurityPolicy({ directives: CSP_DIRECTIVES });
  const noHost = ownHeaders([
    ...requestFree(contentSecurityPolicy({ directives: { ...CSP_DIRECTIVES, connectSrc: ["'self'"] } })),
    ...fixed,
  ]);
  // Per scheme, by Host: the cache is read on every request, so its key is the header itself, not a string built.
  const byHost = {
    ws: new Map<string | undefined, OwnHeaders>(),
    wss: new Map<string | undefined, OwnHeaders>(),
  };
  return (request) => {
    const hosts = (request.socket as TLSSocket).encrypted ? byHost.wss : byHost.ws;
    const cached = hosts.get(request.headers.host);
    if (cached) return cached;
    const headers = request.headers.host ? recorded(csp, request) : undefined;
    if (!headers || headers instanceof Error) return noHost;
    if (hosts.size >= MAX_CACHED_HOSTS) hosts.clear();
    const all = ownHeaders([...Object.entries(headers), ...fixed]);
    hosts.set(request.headers.host, all);
    return all;
  };
}

/** Helmet's headers for one request: as a raw list (name, value, name, value…) and their names. */
interface OwnHeaders {
  list: string[];
  names: Set<string>;
}

function ownHeaders(pairs: [string, string][]): OwnHeaders {
  return { list: pairs.flat(), names: new Set(pairs.map(([name]) => name)) };
}

type HeadArgument = string | OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/**
 * The server's response class (`http.createServer({ ServerResponse })`, http.ts): it adds helmet's headers when the
 * head is written, to those the route set, which win. Fastify writes its headers in one `writeHead(status, headers)`;
 * those and ours then go to node as one raw list, which node writes as given. Setting ours on the response first
 * (`setHeader`: a dozen name and value checks and entries) made node merge the two header by header, and adding
 * them to fastify's object grew it key by key; timed alone, a head takes 2.2 µs this way against 2.6 µs when ours
 * grew fastify's object, 2.0 µs of it node's own check of what it writes (docs/api.md "Benchmark"). Header
 * names fastify passes are lowercase, as are ours. A response whose headers were also set one by one (`setHeader`)
 * gets ours the same way, those it has not already.
 */
export function secureResponseClass(): typeof ServerResponse<IncomingMessage> {
  const headersOf = headersByRequest();
  return class SecureResponse extends ServerResponse {
    private progressive = false;

    override setHeader(name: string, value: number | string | readonly string[]): this {
      this.progressive = true;
      return super.setHeader(name, value);
    }

    override appendHeader(name: string, value: string | readonly string[]): this {
      this.progressive = true;
      return super.appendHeader(name, value);
    }

    override writeHead(statusCode: number, reason?: HeadArgument, given?: HeadArgument): this {
      if (typeof reason !== 'string') [given, reason] = [reason, undefined];
      const own = headersOf(this.req);
      if (this.progressive || Array.isArray(given) || typeof given === 'string') {
        for (let i = 0; i < own.list.length; i += 2)
          if (!this.hasHeader(own.list[i]!)) super.setHeader(own.list[i]!, own.list[i + 1]!);
        return super.writeHead(statusCode, reason, given as OutgoingHttpHeader[] | undefined);
      }
      const list: unknown[] = [];
      let replaced = false;
      for (const name in given) {
        list.push(name, given[name]);
        replaced ||= own.names.has(name);
      }
      if (!replaced) return super.writeHead(statusCode, reason, list.concat(own.list) as OutgoingHttpHeader[]);
      for (let i = 0; i < own.list.length; i += 2)
        if (given![own.list[i]!] === undefined) list.push(own.list[i], own.list[i + 1]);
      return super.writeHead(statusCode, reason, list as OutgoingHttpHeader[]);
    }
  };
}
