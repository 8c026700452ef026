import { Command, CommanderError } from 'commander';
import { VigilError } from '@vigil/core';
import { ZodError } from 'zod';
type Register = (program: Command) => void;

/**
 * Each top-level command and the module that registers it. Only the module of the command being run is
 * loaded, so `vigil device add` does not load the broker, fastify and the rules engine.
 */
const COMMAND_MODULES: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./commands/start.js')).registerStart,
  gateway: async () => (await import('./commands/gateway.js')).registerGateway,
  ingest: async () => (await import('./commands/ingest.js')).registerIngest,
  alerts: async () => (await import('./commands/alerts.js')).registerAlerts,
  dispatch: async () => (await import('./commands/dispatch.js')).registerDispatch,
  api: async () => (await import('./commands/api.js')).registerApi,
  hub: async () => (await import('./commands/hub.js')).registerHub,
  simulate: async () => (await import('./commands/simulate.js')).registerSimulate,
  db: async () => (await import('./commands/db.js')).registerDb,
  migrate: async () => (await import('./commands/db.js')).registerDb,
  facility: async () => (await import('./commands/registry.js')).registerRegistry,
  location: async () => (await import('./commands/registry.js')).registerRegistry,
  resident: async () => (await import('./commands/registry.js')).registerRegistry,
  user: async () => (await import('./commands/users.js')).registerUsers,
  device: async () => (await import('./commands/devices.js')).registerDevices,
  dwelling: async () => (await import('./commands/dwelling.js')).registerDwelling,
  'service-account': async () => (await import('./commands/devices.js')).registerDevices,
  token: async () => (await import('./commands/tokens.js')).registerTokens,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  coverage: async () => (await import('./commands/coverage.js')).registerCoverage,
  evaluate: async () => (await import('./commands/evaluate.js')).registerEvaluate,
};

/**
 * Builds the `vigil` program. With `command`, only the module registering that command is loaded;
 * without it (help, an unknown command) every module is, once each, in the order above.
 */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command('vigil')
    .description('Vigil: safety monitoring for elder-care facilities (see README.md)')
    .showHelpAfterError()
    .exitOverride();
  const loaders = command && COMMAND_MODULES[command] ? [COMMAND_MODULES[command]] : Object.values(COMMAND_MODULES);
  const registered = new Set<Register>();
  for (const register of await Promise.all(loaders.map((load) => load()))) {
    if (registered.has(register)) continue;
    registered.add(register);
    register(program);
  }
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
    await (await buildProgram(argv[2])).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    console.error(`vigil: ${describe(err)}`);
    process.exitCode = 1;
  }
}
