import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * The root logger of a process. Payload contents (vital signs) are only ever logged at debug level,
 * and never by default: services log ids, counts and reasons.
 */
export function createLogger(options: { level?: string; name?: string; destination?: number } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info',
    base: { svc: options.name ?? 'vigil' },
    redact: { paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token'], censor: '[redacted]' },
  };
  return options.destination === undefined ? pino(config) : pino(config, pino.destination(options.destination));
}

/** A logger that discards everything (tests and library callers that pass none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
