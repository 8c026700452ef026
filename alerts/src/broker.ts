import { connectMqttService, handleEach, type Logger, type MqttLogin, type MqttService } from '@vigil/core';
import { deviceTopicFilter, INTERNAL_TOPICS } from '@vigil/protocol';

export interface BrokerOptions extends MqttLogin {
  /** The events session's client id; the readings session's is this + `-readings`. */
  clientId: string;
  /** Only these facilities' messages (a worker's share, docs/alerts.md "Workers"); null: every facility's. */
  facilities: readonly string[] | null;
}

/**
 * The two persistent sessions of the alerts service. Device events (fall, SOS, alarms) have a session of their own,
 * which also publishes the alert events: under load a fall is then neither queued behind thousands of readings on
 * the broker's way to us nor its event behind their acknowledgements on the way back. Readings and status share
 * the other session, in the order the broker received them: a Last Will is never evaluated before a reading the
 * device sent earlier (which would clear the offline alert it raised).
 */
export const SESSIONS = {
  // Channel status is rare and urgent: it rides with device events.
  events: { suffix: '', kinds: ['event'], channelStatus: true },
  readings: { suffix: '-readings', kinds: ['reading', 'status'], channelStatus: false },
} as const;

/** A session's filters for `facility` ('+': every facility). */
function sessionFilters(session: (typeof SESSIONS)[keyof typeof SESSIONS], facility: string): string[] {
  const filters: string[] = session.kinds.map((kind) => deviceTopicFilter(kind, facility));
  if (session.channelStatus) filters.push(`${INTERNAL_TOPICS.channelStatus}/${facility}/+`);
  return filters;
}

// A session of either client id may hold the other's filters from before (another split, an older version, the
// same worker for every facility before).
const ALL_FILTERS = [
  ...Object.values(SESSIONS).flatMap((session) => sessionFilters(session, '+')),
  `${INTERNAL_TOPICS.channelStatus}/#`,
];

/** Handles one device message; resolves once the events it caused were handed to the broker. */
export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => Promise<void>;

export interface Sessions {
  /** The events session: it publishes the alert events. */
  events: MqttService;
  /** Sends the acknowledgements that are due and disconnects both (the sessions stay at the broker). */
  close(): Promise<void>;
}

/**
 * Connects both durable sessions. Messages are handled one after the other as they arrive; each PUBACK waits for
 * the events its message caused, in arrival order, without holding up the messages behind it. Any other device
 * filter a session held before is unsubscribed once its own are in place, so no message is handled twice for long
 * and none is missed in between. Either failing to connect closes the other and rejects.
 */
export async function connectSessions(options: BrokerOptions, handle: MessageHandler, log: Logger): Promise<Sessions> {
  const { clientId, facilities, ...login } = options;
  // A retained message sent because we subscribed is history, not news [MQTT-3.3.1-8]: the engine updates state only.
  const handler = handleEach((m) => handle(m.topic, m.payload, m.retained), log);
  const connecting = Object.values(SESSIONS).map((session) =>
    connectMqttService({
      ...login,
      clientId: `${clientId}${session.suffix}`,
      session: 'durable',
      filters: (facilities ?? ['+']).flatMap((facility) => sessionFilters(session, facility)),
      retiredFilters: ALL_FILTERS,
      handler,
      log,
    }),
  );
  const settled = await Promise.allSettled(connecting);
  const connected = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const closeAll = async () => void (await Promise.all(connected.map((session) => session.close())));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await closeAll();
    throw failed.reason;
  }
  return { events: connected[0]!, close: closeAll };
}
