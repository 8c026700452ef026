import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.js';

const REQUESTS: [method: string, route: string, status: number, seconds: number][] = [
  ['GET', '/readyz', 200, 0.002],
  ['GET', '/readyz', 200, 0.005],
  ['GET', '/readyz', 503, 3],
  ['POST', '/api/v1/alerts/:id/acknowledge', 400, 0.03],
  ['GET', '/api/v1/me', 200, 20],
  ['GET', 'unmatched', 404, 0.0001],
];

/** The same requests through prom-client's own labelled Counter and Histogram, as the api recorded them before. */
async function promClientExposition(): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'vigil_api_http_requests_total',
    help: 'HTTP requests by route pattern and status code',
    labelNames: ['method', 'route', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'vigil_api_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  for (const [method, route, status, seconds] of REQUESTS) {
    requests.inc({ method, route, status: String(status) });
    duration.observe({ method, route }, seconds);
  }
  return registry.metrics();
}

describe('RequestMetrics', () => {
  it('exposes what prom-client would, bucket bounds included', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry);
    for (const request of REQUESTS) metrics.record(...request);
    expect(await registry.metrics()).toBe(await promClientExposition());
  });

  it('reads the tally when asked, and starts over on a reset', async () => {
    const registry = new Registry();
    const metrics = new RequestMetrics(registry);
    expect(await registry.metrics()).not.toContain('vigil_api_http_requests_total{');
    metrics.record('GET', '/readyz', 200, 0.001);
    metrics.record('GET', '/readyz', 200, 0.001);
    const counted = await registry.getSingleMetric('vigil_api_http_requests_total')!.get();
    expect(counted.values).toEqual([{ value: 2, labels: { method: 'GET', route: '/readyz', status: '200' } }]);
    registry.resetMetrics();
    expect((await registry.getSingleMetric('vigil_api_http_request_duration_seconds')!.get()).values).toEqual([]);
  });
});
