import type { Metric, Registry } from 'prom-client';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One route and method: its requests by status code and their durations. */
interface Series {
  readonly method: string;
  readonly route: string;
  readonly statuses: Map<number, number>;
  /** Requests per bucket, not cumulated; the last one is over the largest bound (`+Inf` only). */
  readonly buckets: number[];
  sum: number;
  count: number;
}

type Labels = Record<string, string | number>;
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}

/**
 * `vigil_api_http_requests_total{method,route,status}` and `vigil_api_http_request_duration_seconds{method,route}`,
 * tallied per request in plain maps and numbers and handed to prom-client only when the registry is read. A
 * labelled prom-client `inc` and `observe` check and hash their labels on every call, a few µs a request on the
 * cheapest route (docs/api.md "Benchmark"); the exposition is the same as theirs.
 */
export class RequestMetrics {
  /** route → method → series: the route patterns and method names are the same few strings every time. */
  private readonly byRoute = new Map<string, Map<string, Series>>();

  constructor(registry: Registry) {
    this.expose(
      registry,
      'vigil_api_http_requests_total',
      'HTTP requests by route pattern and status code',
      'counter',
      () => this.counterSamples(),
    );
    this.expose(
      registry,
      'vigil_api_http_request_duration_seconds',
      'HTTP request duration by route pattern',
      'histogram',
      (name) => this.histogramSamples(name),
    );
  }

  record(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (!series) {
      series = {
        method,
        route,
        statuses: new Map(),
        buckets: new Array<number>(BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byMethod.set(method, series);
    }
    series.statuses.set(status, (series.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    series.buckets[bucket]!++;
    series.sum += seconds;
    series.count++;
  }

  private *series(): Generator<Series> {
    for (const byMethod of this.byRoute.values()) yield* byMethod.values();
  }

  private counterSamples(): Sample[] {
    const samples: Sample[] = [];
    for (const { method, route, statuses } of this.series()) {
      for (const [status, value] of statuses)
        samples.push({ value, labels: { method, route, status: String(status) } });
    }
    return samples;
  }

  private histogramSamples(name: string): Sample[] {
    const samples: Sample[] = [];
    for (const { method, route, buckets, sum, count } of this.series()) {
      let cumulated = 0;
      BUCKETS.forEach((le, i) => {
        cumulated += buckets[i]!;
        samples.push({ value: cumulated, labels: { le, method, route }, metricName: `${name}_bucket` });
      });
      samples.push({ value: count, labels: { le: '+Inf', method, route }, metricName: `${name}_bucket` });
      samples.push({ value: sum, labels: { method, route }, metricName: `${name}_sum` });
      samples.push({ value: count, labels: { method, route }, metricName: `${name}_count` });
    }
    return samples;
  }

  /**
   * Registers a metric that reads the tally: the registry asks a metric only for `get()` (and `reset()`), so this
   * stands in for a prom-client Counter or Histogram, whose per-call label handling is what it avoids.
   */
  private expose(
    registry: Registry,
    name: string,
    help: string,
    type: 'counter' | 'histogram',
    samples: (name: string) => Sample[],
  ): void {
    const metric = {
      // The registry renames counters (without `_total`) for the OpenMetrics format: read the name when asked.
      name,
      help,
      type,
      aggregator: 'sum' as const,
      get: async () => ({ name: metric.name, help, type, aggregator: metric.aggregator, values: samples(metric.name) }),
      reset: () => this.byRoute.clear(),
    };
    registry.registerMetric(metric as unknown as Metric);
  }
}
