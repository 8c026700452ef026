import type { Command } from 'commander';
import { audited, createToken, getToken, listTokens, revokeToken, TOKEN_ROLES, RegistryNotFound } from '@vigil/store';
import { CLI_ACTOR, OPERATOR, output, withDatabase } from '../context.js';

/** `vigil token create|list|revoke` (docs/ARCHITECTURE.md "Interfaces that outside tools rely on"). */
export function registerTokens(program: Command): void {
  const token = program.command('token').description('api bearer tokens');
  token
    .command('create')
    .description('create a bearer token; prints it once')
    .requiredOption('--role <role>', TOKEN_ROLES.join('|'))
    .option('--facility <id>', 'facility scope (caregiver, safety-officer, display)')
    .option('--region <id>', 'region scope (regulator)')
    .option('--user <id>', 'the user the token belongs to (recorded as who acknowledged or resolved)')
    .option('--label <text>', 'a label, e.g. "night desk display"')
    .option('--expires-days <n>', 'expires after this many days (default: never)', (v) => Number(v))
    .option('--json', 'print {"token","id","expiresAt"}')
    .action(async (o) =>
      withDatabase(async (db) => {
        const expiresAt = o.expiresDays === undefined ? undefined : new Date(Date.now() + o.expiresDays * 86_400_000);
        const entry = (token: { id: string }) => ({
          actor: CLI_ACTOR,
          action: 'token.created',
          target: `token:${token.id}`,
          facility: o.facility ?? null,
          details: { role: o.role, user: o.user ?? null, expiresAt: expiresAt ?? null },
        });
        const created = await audited(db, entry, (tx) =>
          createToken(tx, {
            role: o.role,
            facility: o.facility,
            region: o.region,
            user: o.user,
            label: o.label,
            expiresAt,
            createdBy: CLI_ACTOR,
          }),
        );
        output(o.json, created, created.token);
      }),
    );
  token
    .command('list')
    .description('tokens and sign-in sessions that are still valid (never their values)')
    .option('--user <id>', "only this user's")
    .option('--revoked', 'include revoked ones')
    .option('--json', 'print a JSON array')
    .action(async (o) =>
      withDatabase(async (db) => {
        const tokens = await listTokens(db, OPERATOR, { user: o.user, includeRevoked: Boolean(o.revoked) });
        const lines = tokens.map((t) =>
          [
            t.id,
            t.kind,
            t.role,
            t.facility ?? t.region ?? '-',
            t.user ?? t.label ?? '-',
            t.expiresAt?.toISOString() ?? 'never',
          ]
            .concat(t.revokedAt ? [`revoked ${t.revokedAt.toISOString()}`] : [])
            .join('  '),
        );
        output(o.json, tokens, lines.join('\n'));
      }),
    );
  token
    .command('revoke <id>')
    .description('revoke a token or session: refused at once, open streams close')
    .action(async (id: string) =>
      withDatabase(async (db) => {
        // getToken parses the id: a malformed one is "not found" too.
        const facility = (await getToken(db, id).catch(() => null))?.facility ?? null;
        const entry = { actor: CLI_ACTOR, action: 'token.revoked', target: `token:${id}`, facility };
        await audited(db, entry, async (tx) => {
          if (!(await revokeToken(tx, id, new Date())))
            throw RegistryNotFound(`token ${id} not found or already revoked`);
        });
        console.log(`token ${id} revoked`);
      }),
    );
}
