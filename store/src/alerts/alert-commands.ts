import type pg from 'pg';
import type { Queryable } from '@vigil/core';

/**
 * The alert-commands protocol between the api (enqueue, wait, withdraw) and the alerts service (claim, complete):
 * rows of `alert_commands`, announced on this NOTIFY channel when their INSERT commits.
 */
export const COMMANDS_CHANNEL = 'vigil_alert_commands';

/** Written by the api into `error_code` when it gives up waiting: the command must never be applied later. */
export const COMMAND_WITHDRAWN = 'VIGIL_ERR_API_ALERTS_TIMEOUT';

/**
 * The HTTP status of each refusal code the alerts service writes into `error_code` (the code itself is passed
 * through to the caller); `refusalStatus` answers 409 (a conflict with the alert's state) for others.
 */
export const COMMAND_REFUSAL_STATUS: Readonly<Record<string, number>> = {
  VIGIL_ERR_ALERTS_NOT_FOUND: 404,
  VIGIL_ERR_ALERTS_ALREADY_ACKNOWLEDGED: 409,
  VIGIL_ERR_ALERTS_ALREADY_RESOLVED: 409,
  VIGIL_ERR_ALERTS_ALREADY_PRESENT: 409,
  VIGIL_ERR_ALERTS_PRESENCE_REQUIRED: 409,
  VIGIL_ERR_ALERTS_INVALID_COMMAND: 400,
  VIGIL_ERR_DB_UNAVAILABLE: 503,
  [COMMAND_WITHDRAWN]: 503,
};

export const refusalStatus = (code: string): number => COMMAND_REFUSAL_STATUS[code] ?? 409;

export type CommandName = 'acknowledge' | 'presence' | 'resolve' | 'drill';

/** A command as the api enqueues it. */
export interface CommandRequestRow {
  facility: string;
  alertId: string | null;
  command: CommandName;
  actor: string;
  args: Record<string, unknown>;
}

/** Enqueues a command and notifies the alerts service, in one statement (the NOTIFY is sent on commit). */
export async function enqueueCommand(db: Queryable, request: CommandRequestRow): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `WITH c AS (
       INSERT INTO alert_commands (facility_id, alert_id, command, actor, args) VALUES ($1, $2, $3, $4, $5) RETURNING id
     ) SELECT id, pg_notify('${COMMANDS_CHANNEL}', id::text) FROM c`,
    [request.facility, request.alertId, request.command, request.actor, JSON.stringify(request.args)],
  );
  return Number(rows[0]!.id);
}

/** Where a command is: processed yet, refused with which code, for which alert. */
export interface CommandState {
  processed: boolean;
  errorCode: string | null;
  alertId: string | null;
}

export async function readCommandState(db: Queryable, id: number): Promise<CommandState> {
  const { rows } = await db.query<CommandState>(
    `SELECT processed_at IS NOT NULL AS processed, error_code AS "errorCode", alert_id AS "alertId"
     FROM alert_commands WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

/** Withdraws a command nobody has claimed yet; false when it was claimed or processed meanwhile. */
export async function withdrawCommand(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE alert_commands SET processed_at = now(), error_code = $2
     WHERE id = $1 AND processed_at IS NULL AND claimed_at IS NULL`,
    [id, COMMAND_WITHDRAWN],
  );
  return rowCount === 1;
}

/** A pending row of the inbox, as stored (the alerts service validates it). */
export interface PendingCommandRow {
  id: number;
  facility: string;
  alertId: string | null;
  command: string;
  actor: string;
  args: unknown;
}

/** Unclaimed, unprocessed commands for `facilities` (null: all) in id order. */
export async function readPendingCommands(
  db: Queryable,
  limit: number,
  facilities: readonly string[] | null,
): Promise<PendingCommandRow[]> {
  const { rows } = await db.query<PendingCommandRow>(
    `SELECT id, facility_id AS facility, alert_id AS "alertId", command, actor, args FROM alert_commands
     WHERE processed_at IS NULL AND claimed_at IS NULL AND ($2::text[] IS NULL OR facility_id = ANY($2))
     ORDER BY id LIMIT $1`,
    [limit, facilities],
  );
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** Claims a command before applying it; false when the api withdrew it (or another run claimed it) first. */
export async function claimCommand(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE alert_commands SET claimed_at = now() WHERE id = $1 AND processed_at IS NULL AND claimed_at IS NULL',
    [id],
  );
  return rowCount === 1;
}

/** Marks a claimed command refused with `code` (a success is marked by the transaction of its event). */
export async function refuseCommand(db: Queryable, id: number, code: string): Promise<void> {
  await db.query('UPDATE alert_commands SET processed_at = now(), error_code = $2 WHERE id = $1', [id, code]);
}

/** Subscribes a dedicated connection to the commands channel. */
export async function listenForCommands(client: pg.Client): Promise<void> {
  await client.query(`LISTEN ${COMMANDS_CHANNEL}`);
}
