import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The `kind` label of the message counters (topicKindLabel). */
const KINDS = ['reading', 'event', 'status', 'command', 'internal', 'other'] as const;
type Kind = (typeof KINDS)[number];
const DEVICE_KINDS = (['reading', 'event', 'status', 'command'] as const).map((label) => ({
  label,
  suffix: `/${label}`,
}));

/** A per-message counter by topic kind: counted in plain numbers, handed to prom-client when scraped. */
export interface KindCounter {
  add(topic: string): void;
}

/**
 * prom-client's `inc` hashes and validates its labels on every call, which cost more per message than the
 * ACL checks; the gateway counts every message in and out, so it tallies here and adds the tally to the
 * counter on each scrape (prom-client calls `collect` before it reads a metric).
 */
function kindCounter(name: string, help: string, registers: Registry[]): KindCounter {
  const tally = new Map<Kind, number>(KINDS.map((kind) => [kind, 0]));
  new Counter({
    name,
    help,
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const [kind, count] of tally) {
        if (!count) continue;
        this.inc({ kind }, count);
        tally.set(kind, 0);
      }
    },
  });
  return {
    add(topic) {
      const kind = topicKindLabel(topic);
      tally.set(kind, tally.get(kind)! + 1);
    },
  };
}

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
    messagesIn: kindCounter(
      'vigil_gateway_messages_in_total',
      'PUBLISH packets accepted from clients, by topic kind',
      registers,
    ),
    messagesOut: kindCounter(
      'vigil_gateway_messages_out_total',
      'Messages delivered to subscribers, by topic kind',
      registers,
    ),
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
export function topicKindLabel(topic: string): Kind {
  if (topic.startsWith('vigil/internal/')) return 'internal';
  if (!topic.startsWith('vigil/v1/')) return 'other';
  // The last level, without cutting it out of the topic (no string per message).
  for (const kind of DEVICE_KINDS) if (topic.endsWith(kind.suffix)) return kind.label;
  return 'other';
}
