import { Command, CommanderError } from 'commander';
import { VigilError } from '@vigil/core';
import { ZodError } from 'zod';
import { registerAlerts } from './commands/alerts.js';
import { registerApi } from './commands/api.js';
import { registerAudit } from './commands/audit.js';
import { registerDb } from './commands/db.js';
import { registerDevices } from './commands/devices.js';
import { registerGateway } from './commands/gateway.js';
import { registerIngest } from './commands/ingest.js';
import { registerRegistry } from './commands/registry.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStart } from './commands/start.js';
import { registerTokens } from './commands/tokens.js';

/** Builds the `vigil` program; every subcommand registers itself from cli/src/commands/. */
export function buildProgram(): Command {
  const program = new Command('vigil')
    .description('Vigil: safety monitoring for elder-care facilities (see README.md)')
    .showHelpAfterError()
    .exitOverride();
  registerStart(program);
  registerDb(program);
  registerRegistry(program);
  registerDevices(program);
  registerTokens(program);
  registerAlerts(program);
  registerAudit(program);
  registerGateway(program);
  registerIngest(program);
  registerApi(program);
  registerSimulate(program);
  return program;
}

function describe(err: unknown): string {
  if (err instanceof VigilError) return `${err.code}: ${err.message}`;
  if (err instanceof ZodError) return err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n');
  return (err as Error).message ?? String(err);
}

/** Runs the CLI; exits 1 with a one-line error (2 for usage errors). */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    console.error(`vigil: ${describe(err)}`);
    process.exitCode = 1;
  }
}
