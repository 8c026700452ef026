import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';

/** The api's Prometheus metrics, registered on the registry it is given (shared in `vigil start`). */
export function createApiMetrics(registry: Registry) {
  const registers = [registry];
  return {
    http: new RequestMetrics(registry),
    streamClients: new Gauge({
      name: 'vigil_api_stream_clients',
      help: 'Authenticated WebSocket stream clients',
      registers,
    }),
    streamMessages: new Counter({
      name: 'vigil_api_stream_messages_total',
      help: 'Messages sent to WebSocket stream clients by type',
      labelNames: ['type'] as const,
      registers,
    }),
    streamRejected: new Counter({
      name: 'vigil_api_stream_rejected_total',
      help: 'WebSocket connections closed before or at the hello, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    alertEvents: new Counter({
      name: 'vigil_api_alert_events_received_total',
      help: 'Alert events received from the alerts service on the internal topic, by validity',
      labelNames: ['result'] as const,
      registers,
    }),
    lastEventId: new Gauge({
      name: 'vigil_api_last_event_id',
      help: 'Newest alert event id applied to the stream, per facility (ids are numbered per facility)',
      labelNames: ['facility'] as const,
      registers,
    }),
    commandDuration: new Histogram({
      name: 'vigil_api_command_duration_seconds',
      help: 'Time from inserting an acknowledge/resolve/drill command to the alerts service answering',
      labelNames: ['command', 'result'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
  };
}

export type ApiMetricSet = ReturnType<typeof createApiMetrics>;
