import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { ruleOverridesSchema } from '@vigil/alerts';
import { LIBRARY } from '@vigil/simulators';
import { DEFAULT_BUDGET, renderReport } from '../evaluate/report.js';
import { evaluateLibrary } from '../evaluate/run.js';
import { output } from '../context.js';

const optionsSchema = z.object({
  budget: z.coerce.number().min(0),
  nuisanceBudget: z.coerce.number().int().min(0),
  seed: z.string().min(1),
  out: z.string().min(1),
  scenario: z.array(z.enum(LIBRARY.map((s) => s.name) as [string, ...string[]])).optional(),
  json: z.boolean().optional(),
  settings: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(ruleOverridesSchema)
    .optional(),
});

/** `vigil evaluate`: alert quality measured on the labelled scenario library (docs/rules.md "Evaluation"). */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      'replay the labelled scenario library through the rules engine in event time (no database, no broker) and ' +
        'report sensitivity, false alerts per resident-night and time to alert per rule; writes --out; exits 1 ' +
        'when a dangerous event is missed or false alerts exceed the budget',
    )
    .option(
      '--budget <n>',
      'false alerts per resident-night allowed on normal nights and days',
      String(DEFAULT_BUDGET.falsePerResidentNight),
    )
    .option(
      '--nuisance-budget <n>',
      'false alerts allowed on the nuisance scenarios',
      String(DEFAULT_BUDGET.nuisanceFalseAlerts),
    )
    .option('--seed <seed>', 'recording seed: the same seed gives the same readings', 'library')
    .option('--out <file>', 'where to write the report as JSON', 'bench/results/quality.json')
    .option('--scenario <name...>', 'only these scenarios (the report then covers only them)')
    .option('--json', 'print the report as JSON instead of the table')
    .option(
      '--settings <json>',
      'facility rule overrides to replay with, e.g. \'{"bedExitNight":{"confirmMs":0}}\' (docs/rules.md "Settings")',
    )
    .action(async (raw: unknown) => {
      const o = optionsSchema.parse(raw);
      const report = await evaluateLibrary({
        seed: o.seed,
        budget: { falsePerResidentNight: o.budget, nuisanceFalseAlerts: o.nuisanceBudget },
        scenarios: o.scenario && LIBRARY.filter((s) => o.scenario!.includes(s.name)),
        settings: o.settings,
      });
      await mkdir(path.dirname(o.out), { recursive: true });
      await writeFile(o.out, `${JSON.stringify(report, null, 2)}\n`);
      output(Boolean(o.json), report, renderReport(report));
      if (report.failures.length) process.exitCode = 1;
    });
}
