import type { Command } from 'commander';
import {
  addUser,
  audited,
  disableUser,
  enableUser,
  getUser,
  listUsers,
  revokeUserTokens,
  setUserPassword,
  USER_ROLES,
  type UserRecord,
} from '@vigil/store';
import { RegistryNotFound } from '@vigil/store';
import { CLI_ACTOR, OPERATOR, output, withDatabase } from '../context.js';

/** The password piped in (`--password-stdin`): all of stdin, without one trailing newline. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `vigil user add|list|disable|enable|password` (docs/ARCHITECTURE.md "Interfaces that outside tools rely on"). */
export function registerUsers(program: Command): void {
  const user = program.command('user').description('people who use the api');
  user
    .command('add')
    .description('register a user; with --password-stdin they can sign in (username = id)')
    .requiredOption('--id <id>', 'user id, also the username')
    .requiredOption('--name <name>', 'name')
    .requiredOption('--role <role>', USER_ROLES.join('|'))
    .option('--facility <id>', 'facility (caregiver, safety-officer)')
    .option('--region <id>', 'region (regulator)')
    .option('--password-stdin', 'read the password from stdin (at least 10 characters)')
    .option('--json', 'print JSON')
    .action(async (o) =>
      withDatabase(async (db) => {
        const password = o.passwordStdin ? await readPasswordFromStdin() : undefined;
        const entry = {
          actor: CLI_ACTOR,
          action: 'user.created',
          target: `user:${o.id}`,
          facility: o.facility ?? null,
          details: { role: o.role, region: o.region ?? null, withPassword: password !== undefined },
        };
        const added = await audited(db, entry, (tx) =>
          addUser(tx, { id: o.id, name: o.name, role: o.role, facility: o.facility, region: o.region, password }),
        );
        output(o.json, { id: added.id }, `user ${added.id} added`);
      }),
    );
  user
    .command('disable <id>')
    .description('disable a user: their tokens and sessions are refused at once')
    .action(async (id: string) =>
      withDatabase(async (db) => {
        const facility = (await getUser(db, id))?.facility ?? null;
        const entry = { actor: CLI_ACTOR, action: 'user.disabled', target: `user:${id}`, facility };
        await audited(db, entry, async (tx) => {
          if (!(await disableUser(tx, id, new Date())))
            throw RegistryNotFound(`user ${id} not found or already disabled`);
        });
        console.log(`user ${id} disabled`);
      }),
    );
  user
    .command('enable <id>')
    .description('enable a disabled user again; the tokens and sessions they held are revoked')
    .action(async (id: string) =>
      withDatabase(async (db) => {
        const facility = (await getUser(db, id))?.facility ?? null;
        const entry = { actor: CLI_ACTOR, action: 'user.enabled', target: `user:${id}`, facility };
        await audited(db, entry, async (tx) => {
          if (!(await enableUser(tx, id, new Date()))) throw RegistryNotFound(`user ${id} not found or not disabled`);
        });
        console.log(`user ${id} enabled`);
      }),
    );
  user
    .command('list')
    .description('every user (never a password)')
    .option('--json', 'print a JSON array')
    .action(async (o) =>
      withDatabase(async (db) => {
        const users = await listUsers(db, OPERATOR);
        output(o.json, users, userTable(users));
      }),
    );
  user
    .command('password <id>')
    .description("reset a user's password (read from stdin) and sign out their sessions")
    .action(async (id: string) =>
      withDatabase(async (db) => {
        const at = new Date();
        const password = await readPasswordFromStdin();
        const facility = (await getUser(db, id))?.facility ?? null;
        const entry = { actor: CLI_ACTOR, action: 'auth.password_reset', target: `user:${id}`, facility };
        const revoked = await audited(db, entry, async (tx) => {
          if (!(await setUserPassword(tx, id, password, at))) throw RegistryNotFound(`user ${id} not found`);
          return revokeUserTokens(tx, id, at, { sessionsOnly: true });
        });
        console.log(`password of ${id} reset; ${revoked.length} session(s) signed out`);
      }),
    );
}

/** Users as an aligned table with a header: id, name, role, scope, status, whether they have a password. */
function userTable(users: UserRecord[]): string {
  const rows = [
    ['ID', 'NAME', 'ROLE', 'SCOPE', 'STATUS', 'PASSWORD'],
    ...users.map((u) => [
      u.id,
      u.name,
      u.role,
      u.facility ?? u.region ?? '-',
      u.disabledAt ? `disabled ${u.disabledAt.toISOString()}` : 'enabled',
      u.hasPassword ? 'yes' : 'no',
    ]),
  ];
  // Chinese names are two columns wide in a terminal.
  const width = (text: string) => [...text].reduce((n, c) => n + (/[\u1100-\uffff]/.test(c) ? 2 : 1), 0);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => width(row[i]!))));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - width(cell)))).join('  '),
    )
    .join('\n');
}
