/** One measured quantity of a benchmark; a ratio is measured ÷ ceiling, both from the same run. */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** The raw ceiling this value is compared with (same run, same machine). */
  ceiling?: number;
  ratio?: number;
  /** Goal for the ratio (or the value), e.g. "≥ 0.7". */
  goal?: string;
}

export interface BenchResult {
  name: string;
  rows: BenchRow[];
  /** Where it breaks, the bottleneck stage, anything a reader needs to judge the numbers. */
  notes?: string[];
}

/** A benchmark module in bench/<name>.ts: `export default async function run(): Promise<BenchResult>`. */
export type Bench = () => Promise<BenchResult>;

const fmt = (n: number | undefined) =>
  n === undefined ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);

/** Renders a result as a plain-text table. */
export function formatTable(result: BenchResult): string {
  const header = ['metric', 'value', 'unit', 'ceiling', 'ratio', 'goal'];
  const lines = result.rows.map((r) => [r.metric, fmt(r.value), r.unit, fmt(r.ceiling), fmt(r.ratio), r.goal ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `== ${result.name}`,
    render(header),
    render(widths.map((w) => '-'.repeat(w))),
    ...lines.map(render),
    ...(result.notes ?? []).map((n) => `* ${n}`),
  ].join('\n');
}
