import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGatewayMetrics, topicKindLabel } from './metrics.js';

describe('gateway metrics', () => {
  it('labels a topic by its device kind, internal or other', () => {
    expect(topicKindLabel('vigil/v1/sunrise/wb-1/reading')).toBe('reading');
    expect(topicKindLabel('vigil/v1/sunrise/wb-1/status')).toBe('status');
    expect(topicKindLabel('vigil/v1/sunrise/wb-1/command')).toBe('command');
    expect(topicKindLabel('vigil/v1/sunrise/wb-1/xreading')).toBe('other');
    expect(topicKindLabel('vigil/internal/v1/alert-events')).toBe('internal');
    expect(topicKindLabel('elsewhere/reading')).toBe('other');
  });

  it('counts messages by kind at every scrape, each message once', async () => {
    const registry = new Registry();
    const metrics = createGatewayMetrics(registry);
    const scrape = async () => {
      const metric = registry.getSingleMetric('vigil_gateway_messages_in_total')!;
      return Object.fromEntries((await metric.get()).values.map((v) => [v.labels.kind, v.value]));
    };
    expect(await scrape()).toEqual({});
    metrics.messagesIn.add('vigil/v1/sunrise/wb-1/reading');
    metrics.messagesIn.add('vigil/v1/sunrise/wb-2/reading');
    metrics.messagesIn.add('vigil/internal/v1/alert-events');
    expect(await scrape()).toEqual({ reading: 2, internal: 1 });
    expect(await scrape()).toEqual({ reading: 2, internal: 1 });
    metrics.messagesIn.add('vigil/v1/sunrise/wb-1/reading');
    metrics.messagesIn.add('vigil/v1/sunrise/wb-1/status');
    expect(await scrape()).toEqual({ reading: 3, internal: 1, status: 1 });
    expect((await registry.metrics()).includes('vigil_gateway_messages_in_total{kind="reading"} 3')).toBe(true);
  });
});
