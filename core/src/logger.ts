import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';
import { z } from 'zod';
import { parseEnv } from './config.js';

export type { Logger } from 'pino';

const logEnvSchema = z.object({ VIGIL_LOG_FORMAT: z.enum(['pretty', 'json']).optional() });

/** Where a logger writes: a file descriptor (1 stdout, 2 stderr) or a stream (tests). */
export type LogDestination = number | (DestinationStream & { isTTY?: boolean });

/**
 * `pretty` (pino-pretty: one coloured line per entry) or `json` (one JSON object per line, for log
 * collectors): `VIGIL_LOG_FORMAT` when set, else pretty exactly when the destination is a terminal.
 */
export function logFormat(destination: LogDestination, env: NodeJS.ProcessEnv = process.env): 'pretty' | 'json' {
  const chosen = parseEnv(logEnvSchema, env).VIGIL_LOG_FORMAT;
  if (chosen) return chosen;
  const terminal = typeof destination === 'number' ? isatty(destination) : destination.isTTY === true;
  return terminal ? 'pretty' : 'json';
}

/**
 * Both formats write synchronously: a line is out before the process may exit. pino's asynchronous default hands each
 * write to the libuv thread pool, and a process.exit (or a crash) while one waits there loses it: `vigil start` was seen
 * stopping without its last line. The cost is that a reader that stops reading stalls the process; log collectors
 * (journald, docker) read on. docs/ARCHITECTURE.md "Security and privacy", Logs.
 */
function logStream(destination: LogDestination, format: 'pretty' | 'json'): DestinationStream {
  if (format === 'json')
    return typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination;
  return PinoPretty({
    destination,
    sync: true,
    colorize: typeof destination === 'number' && isatty(destination),
    translateTime: 'SYS:HH:MM:ss.l',
    // One line an entry: the module before the message, the other fields after it.
    singleLine: true,
    messageFormat: '{if module}{module}: {end}{msg}',
    ignore: 'pid,hostname,svc,module',
  });
}

/**
 * The root logger of a process (stdout unless told otherwise). Payload contents (vital signs) are only
 * ever logged at debug level, and never by default: services log ids, counts and reasons.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: LogDestination; env?: NodeJS.ProcessEnv } = {},
): Logger {
  const env = options.env ?? process.env;
  const destination = options.destination ?? 1;
  const config: LoggerOptions = {
    level: options.level ?? env.VIGIL_LOG_LEVEL ?? 'info',
    base: { svc: options.name ?? 'vigil' },
    redact: { paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token'], censor: '[redacted]' },
  };
  return pino(config, logStream(destination, logFormat(destination, env)));
}

/** A logger that discards everything (tests and library callers that pass none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
