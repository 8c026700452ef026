import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric the gateway exports (docs/gateway.md "Metrics"); registered on the caller's Registry. */
export function createGatewayMetrics(registry: Registry) {
  const registers = [registry];
  // Read when scraped, not kept up to date per message: the session store installs its own probe.
  const probes = { sessionQueues: (): { total: number; max: number } => ({ total: 0, max: 0 }) };
  return {
    probes,
    connectedClients: new Gauge({
      name: 'vigil_gateway_connected_clients',
      help: 'Authenticated MQTT clients currently connected, by principal type',
      labelNames: ['type'] as const,
      registers,
    }),
    authentications: new Counter({
      name: 'vigil_gateway_authentications_total',
      help: 'CONNECT attempts by outcome',
      labelNames: ['result'] as const,
      registers,
    }),
    messagesIn: new Counter({
      name: 'vigil_gateway_messages_in_total',
      help: 'PUBLISH packets accepted from clients, by topic kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    messagesOut: new Counter({
      name: 'vigil_gateway_messages_out_total',
      help: 'Messages delivered to subscribers, by topic kind',
      labelNames: ['kind'] as const,
      registers,
    }),
    keepaliveCapped: new Counter({
      name: 'vigil_gateway_keepalive_capped_total',
      help: 'CONNECTs whose keepalive was 0 or above the limit and was held to it',
      registers,
    }),
    refusals: new Counter({
      name: 'vigil_gateway_refusals_total',
      help: 'Refused connections, packets and deliveries, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    sessionQueueDepth: new Gauge({
      name: 'vigil_gateway_session_queue_depth',
      help: 'QoS 1 messages queued on disk for persistent sessions (all clients)',
      registers,
      collect() {
        this.set(probes.sessionQueues().total);
      },
    }),
    sessionQueueMax: new Gauge({
      name: 'vigil_gateway_session_queue_max_depth',
      help: 'Deepest single persistent-session queue',
      registers,
      collect() {
        this.set(probes.sessionQueues().max);
      },
    }),
    statusQueueDepth: new Gauge({
      name: 'vigil_gateway_status_queue_depth',
      help: 'Device connect/disconnect rows waiting to be written to the database',
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'vigil_gateway_outbox_depth',
      help: 'Messages in the uplink outbox not yet acknowledged by the upstream broker',
      registers,
    }),
    outboxAge: new Gauge({
      name: 'vigil_gateway_outbox_oldest_age_seconds',
      help: 'Age of the oldest message in the uplink outbox (0 when empty)',
      registers,
    }),
    outboxDropped: new Counter({
      name: 'vigil_gateway_outbox_dropped_total',
      help: 'Messages dropped from a full uplink outbox (oldest first)',
      registers,
    }),
    upstreamConnected: new Gauge({
      name: 'vigil_gateway_upstream_connected',
      help: '1 while the uplink to the upstream broker is connected',
      registers,
    }),
    forwardLatency: new Histogram({
      name: 'vigil_gateway_upstream_latency_seconds',
      help: 'From acceptance at the gateway to PUBACK from the upstream broker',
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60, 600, 3600],
      registers,
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;

/** The metric label for a topic: a device topic kind, `internal`, or `other`. */
export function topicKindLabel(topic: string): string {
  if (topic.startsWith('vigil/internal/')) return 'internal';
  if (!topic.startsWith('vigil/v1/')) return 'other';
  const kind = topic.slice(topic.lastIndexOf('/') + 1);
  return kind === 'reading' || kind === 'event' || kind === 'status' || kind === 'command' ? kind : 'other';
}
