import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * A request's logger (`request.log`) that makes its pino child, with the request id binding, only when something
 * logs through it. Fastify gives every request a child logger, and making one serialises its bindings; the api logs
 * through its modules' loggers, so `request.log` only carries fastify's own rare messages (docs/api.md
 * "Benchmark"). Those still come with their `reqId`.
 */
class RequestLogger {
  private bound: FastifyBaseLogger | undefined = undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  /** The pino child, made on first use. */
  logger(): FastifyBaseLogger {
    return (this.bound ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.bound?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }
}

// The level methods, on the prototype (nothing but the object itself is made per request): each forwards to the child.
for (const level of LEVELS) {
  Object.defineProperty(RequestLogger.prototype, level, {
    value(this: RequestLogger, ...args: unknown[]) {
      const logger = this.logger();
      (logger[level] as (...args: unknown[]) => void).apply(logger, args);
    },
  });
}

/** Fastify's `childLoggerFactory`: the request's logger, its pino child made on first use. */
export const requestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (parent, bindings, options) =>
  // The level methods are the prototype's (above), which the class's type does not list.
  new RequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
