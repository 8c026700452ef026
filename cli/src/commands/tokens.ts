import type { Command } from 'commander';
import { createToken, TOKEN_ROLES } from '@vigil/store';
import { output, withDatabase } from '../context.js';

/** `vigil token create` (docs/ARCHITECTURE.md "Interfaces that outside tools rely on"). */
export function registerTokens(program: Command): void {
  program
    .command('token')
    .description('api bearer tokens')
    .command('create')
    .description('create a bearer token; prints it once')
    .requiredOption('--role <role>', TOKEN_ROLES.join('|'))
    .option('--facility <id>', 'facility scope (caregiver, safety-officer, display)')
    .option('--region <id>', 'region scope (regulator)')
    .option('--user <id>', 'the user the token belongs to (recorded as who acknowledged or resolved)')
    .option('--label <text>', 'a label, e.g. "night desk display"')
    .option('--json', 'print {"token"}')
    .action(async (o) =>
      withDatabase(async (db) => {
        const created = await createToken(db, {
          role: o.role,
          facility: o.facility,
          region: o.region,
          user: o.user,
          label: o.label,
        });
        output(o.json, created, created.token);
      }),
    );
}
