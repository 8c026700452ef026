import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends the run with a short plain-text summary for CI log readers, who often see only the tail of the log:
 * the name of every failed test and every unhandled error (with its stack's first frames), then one line
 * `Tests: N passed, N failed, N skipped`.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const lines: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') counts.passed++;
        else if (result.state === 'failed') {
          counts.failed++;
          lines.push(`FAILED ${module.moduleId} > ${test.fullName}: ${result.errors?.[0]?.message ?? ''}`);
        } else counts.skipped++;
      }
    }
    for (const error of unhandledErrors) {
      const where = error.stack?.split('\n').slice(1, 4).join(' | ').trim();
      lines.push(`UNHANDLED ${error.name ?? 'Error'}: ${error.message}${where ? ` at ${where}` : ''}`);
    }
    const tail = `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
    process.stdout.write(`\n${[...lines, tail].join('\n')}\n`);
  }
}
