import pg from 'pg';
import { z } from 'zod';
import type { Logger } from '@vigil/core';
import {
  claimCommand,
  listenForCommands,
  readPendingCommands,
  refuseCommand,
  type PendingCommandRow,
} from '@vigil/store';
import { alertRuleSchema, idSchema, resolutionOutcomeSchema } from '@vigil/protocol';
import { ALERTS_ERROR_CODES, type AlertsErrorCode } from './errors.js';
import type { AlertsMetrics } from './metrics.js';

const resolveArgsSchema = z.object({ outcome: resolutionOutcomeSchema, note: z.string().max(2000).nullish() });
const drillArgsSchema = z.object({
  rule: alertRuleSchema.optional(),
  resident: idSchema.optional(),
  location: idSchema.optional(),
  detail: z.string().max(200).optional(),
});

/** A validated row of the `alert_commands` inbox. */
export type AlertCommand = { id: number; facility: string; actor: string } & (
  | { command: 'acknowledge' | 'presence'; alertId: string }
  | { command: 'resolve'; alertId: string; args: z.infer<typeof resolveArgsSchema> }
  | { command: 'drill'; args: z.infer<typeof drillArgsSchema> }
);

/** What applying a command gave: the stored-promise of its event (which marks the row processed), or a refusal. */
export type CommandResult = { ok: true; stored: Promise<boolean> } | { ok: false; code: AlertsErrorCode };

function parseCommand(row: PendingCommandRow): AlertCommand | null {
  const base = { id: row.id, facility: row.facility, actor: row.actor };
  const alertId = row.alertId;
  switch (row.command) {
    case 'acknowledge':
    case 'presence':
      return alertId ? { ...base, command: row.command, alertId } : null;
    case 'resolve': {
      const args = resolveArgsSchema.safeParse(row.args);
      return alertId && args.success ? { ...base, command: 'resolve', alertId, args: args.data } : null;
    }
    case 'drill': {
      const args = drillArgsSchema.safeParse(row.args ?? {});
      return args.success ? { ...base, command: 'drill', args: args.data } : null;
    }
    default:
      return null;
  }
}

/**
 * The api's commands (acknowledge, presence, resolve, drill) arrive as rows of `alert_commands`, announced with NOTIFY; a
 * worker takes only those of the facilities it owns (`facilities`, docs/alerts.md "Workers").
 * Pending rows are processed in id order on every notification, at start and every `pollMs` as a safety net
 * (a notification sent while this service was down or reconnecting is not redelivered).
 */
export class CommandInbox {
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly pool: pg.Pool,
    private readonly apply: (command: AlertCommand) => CommandResult,
    private readonly options: { pollMs: number; facilities: () => string[]; log: Logger; metrics: AlertsMetrics },
  ) {}

  async start(): Promise<void> {
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    await this.wake();
  }

  /** Processes pending commands; a call while a run is under way makes it run once more. */
  wake(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.processPending().catch((err) => this.options.log.warn({ err }, 'could not process alert commands'));
      } while (this.again && !this.closed);
    })().finally(() => (this.running = null));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }

  private async processPending(): Promise<void> {
    const rows = await readPendingCommands(this.pool, 200, this.options.facilities());
    for (const row of rows) {
      if (this.closed) return;
      // Claim first: a command the api has withdrawn (timed out) must not be applied after all.
      if (!(await claimCommand(this.pool, row.id))) continue;
      const command = parseCommand(row);
      const result: CommandResult = command
        ? this.apply(command)
        : { ok: false, code: ALERTS_ERROR_CODES.invalidCommand };
      this.options.metrics.commands.inc({ command: String(row.command), result: result.ok ? 'ok' : result.code });
      // Success: the event's transaction marks the row processed. Wait for it so the next run cannot pick it again.
      if (result.ok && (await result.stored)) continue;
      const code = result.ok ? 'VIGIL_ERR_DB_UNAVAILABLE' : result.code;
      await refuseCommand(this.pool, row.id, code);
    }
    if (rows.length === 200) this.again = true;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'vigil-alerts-listen' });
    const reconnect = () => {
      if (this.closed || this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => {
        if (!this.closed) this.listen().catch(() => undefined);
      }, 1_000).unref();
    };
    client.on('error', (err) => {
      this.options.log.warn({ err: { message: err.message } }, 'command listener lost its connection');
      reconnect();
    });
    client.on('end', reconnect);
    client.on('notification', () => void this.wake());
    this.listener = client;
    try {
      await client.connect();
      await listenForCommands(client);
      // Commands written while nobody listened: catch up now.
      void this.wake();
    } catch (err) {
      this.options.log.warn({ err }, 'command listener could not connect; retrying');
      reconnect();
      throw err;
    }
  }
}
