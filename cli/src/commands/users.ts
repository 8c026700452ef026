import type { Command } from 'commander';
import { addUser, appendAudit, disableUser, revokeUserTokens, setUserPassword, USER_ROLES } from '@vigil/store';
import { RegistryNotFound } from '@vigil/store';
import { output, withDatabase } from '../context.js';

/** What the audit log records as the actor of CLI commands (whoever holds a shell on the server). */
export const CLI_ACTOR = 'cli';

/** The password piped in (`--password-stdin`): all of stdin, without one trailing newline. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `vigil user add|disable|password` (docs/ARCHITECTURE.md "Interfaces that outside tools rely on"). */
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
        const added = await addUser(db, {
          id: o.id,
          name: o.name,
          role: o.role,
          facility: o.facility,
          region: o.region,
          password,
        });
        await appendAudit(db, {
          actor: CLI_ACTOR,
          action: 'user.created',
          target: added.id,
          details: {
            role: added.role,
            facility: added.facility,
            region: added.region,
            withPassword: added.hasPassword,
          },
        });
        output(o.json, { id: added.id }, `user ${added.id} added`);
      }),
    );
  user
    .command('disable <id>')
    .description('disable a user: their tokens and sessions are refused at once')
    .action(async (id: string) =>
      withDatabase(async (db) => {
        if (!(await disableUser(db, id, new Date())))
          throw RegistryNotFound(`user ${id} not found or already disabled`);
        await appendAudit(db, { actor: CLI_ACTOR, action: 'user.disabled', target: id });
        console.log(`user ${id} disabled`);
      }),
    );
  user
    .command('password <id>')
    .description("reset a user's password (read from stdin) and sign out their sessions")
    .action(async (id: string) =>
      withDatabase(async (db) => {
        const at = new Date();
        if (!(await setUserPassword(db, id, await readPasswordFromStdin(), at))) {
          throw RegistryNotFound(`user ${id} not found`);
        }
        const revoked = await revokeUserTokens(db, id, at, { sessionsOnly: true });
        await appendAudit(db, {
          actor: CLI_ACTOR,
          action: 'auth.password_reset',
          target: id,
          details: { signedOut: revoked.length },
        });
        console.log(`password of ${id} reset; ${revoked.length} session(s) signed out`);
      }),
    );
}
