import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET, renderReport } from '../../cli/src/evaluate/report.js';
import { evaluateLibrary } from '../../cli/src/evaluate/run.js';

/**
 * Issue 10 §2 in CI: the labelled library replayed through the real rules engine must catch every dangerous event
 * in time and stay within the false-alert budget (docs/rules.md "Evaluation"). The failure message is the table.
 */
describe('alert quality on the labelled scenario library', () => {
  it('sensitivity 100 % and false alerts within budget', async () => {
    const report = await evaluateLibrary({ seed: 'library', budget: DEFAULT_BUDGET });
    expect(report.overall.events).toBeGreaterThan(0);
    expect(report.failures, `\n${renderReport(report)}\n`).toEqual([]);
  }, 120_000);
});
