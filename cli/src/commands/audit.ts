import type { Command } from 'commander';
import { AlertChainBroken, verifyChain } from '@vigil/alerts';
import { output, withDatabase } from '../context.js';

/** `vigil audit verify`: checks the hash chain of the alert event log (docs/alerts.md "Tamper evidence"). */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('tamper evidence of the alert event log')
    .command('verify')
    .description(
      "walk each facility's hash chain of alert events and name the first broken link; exits 1 when one is found",
    )
    .option('--facility <id>', 'only this facility')
    .option('--json', 'print {"facilities":[{"facility","events"}],"broken":{"facility","eventId","reason"}|null}')
    .action(async (o: { facility?: string; json?: boolean }) =>
      withDatabase(async (db) => {
        const report = await verifyChain(db, { facility: o.facility });
        const summary = report.facilities.map((f) => `${f.facility}: ${f.events} events`).join(', ') || 'no events';
        if (!report.broken) return output(Boolean(o.json), report, `ok (${summary})`);
        const { facility, eventId, reason } = report.broken;
        if (o.json) {
          output(true, report, '');
          process.exitCode = 1;
          return;
        }
        throw AlertChainBroken(`facility ${facility}: event ${eventId}: ${reason}`);
      }),
    );
}
