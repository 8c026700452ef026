import { VigilError, type Pool } from '@vigil/core';
import type { AlertEvent } from '@vigil/protocol';
import {
  COMMAND_WITHDRAWN,
  audited,
  enqueueCommand,
  readCommandState,
  refusalStatus,
  withdrawCommand,
  type CommandName,
  type CommandRequestRow,
} from '@vigil/store';
import { AlertsTimeout } from './errors.js';
import type { AlertFeed } from './feed.js';
import type { ApiMetricSet } from './metrics.js';

export type { CommandName };

export interface CommandRequest extends CommandRequestRow {
  /** Recognises the event the alerts service publishes when it carries out this command. */
  matches(event: AlertEvent, commandId: number): boolean;
}

export interface CommandResult {
  commandId: number;
  /** The resulting event; null when the command was processed but its event has not reached us (yet). */
  event: AlertEvent | null;
  /** The alert the command acted on or created (drills), when known. */
  alertId: string | null;
}

const POLL_MS = 100;
/** After the row says "processed", how long the event may lag behind (it is published right after). */
const EVENT_GRACE_MS = 1000;

/**
 * Hands a command to the alerts service (the only writer of alerts) through the `alert_commands` inbox and
 * waits, bounded, for the outcome: the resulting event on the internal topic, or the row marked processed —
 * with an `error_code` when the alerts service refused it. A command that times out is withdrawn (marked
 * processed with VIGIL_ERR_API_ALERTS_TIMEOUT) so that a 503 answer never turns into a late acknowledgement.
 */
export async function runCommand(
  ctx: { db: Pool; feed: AlertFeed; metrics: ApiMetricSet; commandTimeoutMs: number },
  request: CommandRequest,
): Promise<CommandResult> {
  const started = performance.now();
  let deadline = started + ctx.commandTimeoutMs;
  let claimGrace = false;
  // An object, not a `let`: it is written by the feed listener, and TypeScript would narrow a `let` to null.
  const seen = { event: null as AlertEvent | null, wake: () => undefined as void, id: 0, early: [] as AlertEvent[] };
  const consider = (candidate: AlertEvent) => {
    if (seen.event === null && request.matches(candidate, seen.id)) {
      seen.event = candidate;
      seen.wake();
    }
  };
  // Listen before inserting: the alerts service may answer before the reply to our insert reaches us.
  const unsubscribe = ctx.feed.subscribe((candidate) => (seen.id ? consider(candidate) : seen.early.push(candidate)));
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      seen.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const finish = (result: string) =>
    ctx.metrics.commandDuration.observe({ command: request.command, result }, (performance.now() - started) / 1000);
  try {
    // The command and its audit entry commit together (the alert events record the outcome, this the request).
    const entry = {
      actor: request.actor,
      action: `alert.${request.command}`,
      target: request.alertId ? `alert:${request.alertId}` : null,
      facility: request.facility,
      details: request.args,
    };
    const commandId = await audited(ctx.db, entry, (tx) => enqueueCommand(tx, request));
    seen.id = commandId;
    seen.early.splice(0).forEach(consider);
    for (;;) {
      if (seen.event) {
        finish('ok');
        return { commandId, event: seen.event, alertId: seen.event.alert.id };
      }
      const row = await readCommandState(ctx.db, commandId);
      if (row.processed && row.errorCode === COMMAND_WITHDRAWN)
        throw timedOut(ctx.commandTimeoutMs, request.command, finish);
      if (row.processed && row.errorCode !== null) {
        finish('refused');
        throw new VigilError(row.errorCode, refusalMessage(request.command, row.errorCode), {
          status: refusalStatus(row.errorCode),
        });
      }
      if (row.processed && row.errorCode === null) {
        if (!seen.event) await pause(Math.min(EVENT_GRACE_MS, deadline - performance.now()));
        finish('ok');
        const resulting = seen.event as AlertEvent | null;
        return { commandId, event: resulting, alertId: resulting?.alert.id ?? row.alertId ?? request.alertId };
      }
      if (performance.now() >= deadline) {
        if (await withdrawCommand(ctx.db, commandId)) throw timedOut(ctx.commandTimeoutMs, request.command, finish);
        // Not withdrawn: processed or claimed meanwhile. A claimed command is being applied: give it one more
        // period to report, then answer with the timeout (the alerts service never picks a claimed one up again).
        if (claimGrace) throw timedOut(ctx.commandTimeoutMs, request.command, finish);
        claimGrace = true;
        deadline += ctx.commandTimeoutMs;
        continue;
      }
      await pause(Math.min(POLL_MS, deadline - performance.now()));
    }
  } finally {
    unsubscribe();
  }
}

function timedOut(timeoutMs: number, command: CommandName, finish: (result: string) => void): Error {
  finish('timeout');
  return AlertsTimeout(`the alerts service did not answer within ${timeoutMs} ms; the ${command} was not applied`);
}

function refusalMessage(command: CommandName, code: string): string {
  const what = code
    .replace(/^VIGIL_ERR_[A-Z]+_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
  return `the alerts service refused the ${command}: ${what}`;
}
