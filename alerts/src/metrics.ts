import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The alerts service's Prometheus metrics, registered on the registry the caller passes (GET /metrics). */
export function createAlertsMetrics(registry: Registry) {
  const registers = [registry];
  return {
    messages: new Counter({
      name: 'vigil_alerts_messages_total',
      help: 'device messages seen by the alerts service, by topic kind and result',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    events: new Counter({
      name: 'vigil_alerts_events_total',
      help: 'alert lifecycle events, by type',
      labelNames: ['type'] as const,
      registers,
    }),
    raised: new Counter({
      name: 'vigil_alerts_raised_total',
      help: 'alerts raised, by rule and priority',
      labelNames: ['rule', 'priority'] as const,
      registers,
    }),
    ruleErrors: new Counter({
      name: 'vigil_alerts_rule_errors_total',
      help: 'exceptions thrown by a rule (the message still reaches every other rule)',
      labelNames: ['rule'] as const,
      registers,
    }),
    heldBack: new Counter({
      name: 'vigil_alerts_held_back_total',
      help: 'new non-critical alerts held back by the per-facility cap, by rule (docs/alerts.md "Flood control")',
      labelNames: ['rule'] as const,
      registers,
    }),
    openAlerts: new Gauge({ name: 'vigil_alerts_open', help: 'unresolved alerts held in memory', registers }),
    writeBacklog: new Gauge({
      name: 'vigil_alerts_write_backlog',
      help: 'alert events waiting to be written (grows while the database is down)',
      registers,
    }),
    writeFailures: new Counter({
      name: 'vigil_alerts_write_failures_total',
      help: 'alert events the database refused for good',
      registers,
    }),
    backlogDiskFailures: new Counter({
      name: 'vigil_alerts_backlog_disk_failures_total',
      help: 'alert events that could not be put in the local disk backlog (published and stored from memory)',
      registers,
    }),
    databaseUp: new Gauge({ name: 'vigil_alerts_database_up', help: '1 while alert writes succeed', registers }),
    publishDelay: new Histogram({
      name: 'vigil_alerts_publish_delay_seconds',
      help: 'from the event being created to it being handed to the broker (includes the durable write)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    commands: new Counter({
      name: 'vigil_alerts_commands_total',
      help: 'alert commands processed, by command and result code',
      labelNames: ['command', 'result'] as const,
      registers,
    }),
  };
}

export type AlertsMetrics = ReturnType<typeof createAlertsMetrics>;
