import type { Command } from 'commander';
import { coverageCsv, coverageHtml } from '@vigil/api';
import { coverageAudit, localeSchema, type AuditProgress } from '@vigil/store';
import { z } from 'zod';
import { ConfigError } from '@vigil/core';
import { withDatabase } from '../context.js';

const DAY_MS = 86_400_000;
/** Periods from this long on draw a progress bar (on a terminal only, on stderr). */
const PROGRESS_FROM_DAYS = 7;
const BAR = 30;

const optionsSchema = z.object({
  facility: z.string(),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  format: z.enum(['json', 'csv', 'html']).default('json'),
  locale: localeSchema.default('zh-CN'),
  policyVersion: z.coerce.number().int().min(0).optional(),
});

/** A bar on stderr, redrawn in place; nothing when stderr is not a terminal (a pipe or a log keeps clean). */
function progressBar(stream: NodeJS.WriteStream): AuditProgress | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    const filled = Math.round((BAR * done) / total);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${done}/${total}`);
    if (done === total) stream.write('\n');
  };
}

/** `vigil coverage`: the coverage audit of a facility (docs/ARCHITECTURE.md "Coverage audit") on stdout. */
export function registerCoverage(program: Command): void {
  program
    .command('coverage')
    .description('coverage audit of a facility over a period: required vs present devices, gaps, tests, plans, score')
    .requiredOption('--facility <id>', 'the facility')
    .requiredOption('--from <iso>', 'start of the period, e.g. 2026-11-01T00:00:00+08:00')
    .requiredOption('--to <iso>', 'end of the period (capped at now)')
    .option('--format <format>', 'json, csv or html', 'json')
    .option('--locale <locale>', 'language of the findings: zh-CN or en', 'zh-CN')
    .option('--policy-version <n>', "apply this version of the facility's policy (0: the default)")
    .action(async (raw: Record<string, string>) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success)
        throw ConfigError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      const o = parsed.data;
      const long = Date.parse(o.to) - Date.parse(o.from) >= PROGRESS_FROM_DAYS * DAY_MS;
      const report = await withDatabase((db) => coverageAudit(db, o, long ? progressBar(process.stderr) : undefined));
      const text = {
        json: () => `${JSON.stringify(report, null, 2)}\n`,
        csv: () => coverageCsv(report),
        html: () => coverageHtml(report),
      };
      process.stdout.write(text[o.format]());
    });
}
