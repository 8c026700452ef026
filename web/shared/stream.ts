import type { LastEventIds, StreamServerMessage } from '@vigil/protocol';
import { computed, onUnmounted, ref, shallowReactive } from 'vue';
import { alertChanges } from './alert-changes.js';
import type { Alert } from './api.js';

/** Close code of a refused hello (protocol/src/stream.ts). */
const UNAUTHORIZED = 4401;

/** Not connected for this long (the api stopped, the network is down) counts as disconnected at once. */
const DOWN_MS = 5000;
/**
 * The open alerts of the credential's scope, live from /api/v1/stream (docs/api.md "WebSocket stream"):
 * resumes with `since` (each facility's newest event id seen: ids are numbered per facility) after a drop; stale after
 * `staleMs` without a message, or 5 s without a connection. The hello carries the display token, or none for a person
 * signed in by cookie (the upgrade request carries the cookie).
 */
export function useAlertStream(
  credential: string | null,
  options: {
    staleMs: number;
    /** Which of a burst's alerts are drawn first (web/shared/alert-changes.ts). */
    order(a: Alert, b: Alert): number;
    onRefused(): void;
    /** Every message as it arrives, stale ones left out (the wall display confirms them: web/display/receipts.ts). */
    onMessage?(message: StreamServerMessage): void;
    /** A snapshot, or a frame's alert events, once in `alerts`, so on the page from the next frame. */
    onApplied?(messages: StreamServerMessage[]): void;
  },
) {
  // Shallow: an alert is replaced whole by each event, never changed in place, so its fields need no proxies.
  const alerts = shallowReactive(new Map<string, Alert>());
  /** Alert events not yet on the page (a burst is drawn over a few frames). */
  const changes = alertChanges(alerts, {
    order: options.order,
    applied: (messages) => options.onApplied?.(messages),
  });
  const lastHeard = ref(Date.now());
  const now = ref(Date.now());
  const live = ref(false);
  const downSince = ref(Date.now());
  let lastEventIds: LastEventIds | null = null;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let stopped = false;

  /** Applies a snapshot or a heartbeat, queues an alert event; false for an event seen before (ignored). */
  function receive(message: StreamServerMessage): boolean {
    if (message.type === 'snapshot') {
      // Everything before it is superseded by it.
      changes.clear();
      alerts.clear();
      for (const alert of message.alerts) alerts.set(alert.id, alert);
      lastEventIds = { ...message.lastEventIds };
    } else if (message.type === 'alert') {
      const { facility } = message.alert;
      if (lastEventIds !== null && message.eventId <= (lastEventIds[facility] ?? 0)) return false;
      lastEventIds = { ...lastEventIds, [facility]: message.eventId };
      changes.push(message);
    } else {
      // Everything up to these ids that concerns us came before the heartbeat: resume from here.
      const seen: LastEventIds = { ...lastEventIds };
      for (const [facility, id] of Object.entries(message.lastEventIds))
        seen[facility] = Math.max(seen[facility] ?? 0, id);
      lastEventIds = seen;
    }
    return true;
  }

  function connect(): void {
    if (stopped) return;
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/stream`);
    socket = ws;
    ws.onopen = () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          ...(credential === null ? {} : { token: credential }),
          ...(lastEventIds === null ? {} : { since: lastEventIds }),
        }),
      );
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      lastHeard.value = Date.now();
      live.value = true;
      attempt = 0;
      const message = JSON.parse(String(event.data)) as StreamServerMessage;
      if (!receive(message)) return;
      options.onMessage?.(message);
      if (message.type === 'snapshot') options.onApplied?.([message]);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (live.value) downSince.value = Date.now();
      live.value = false;
      if (event.code === UNAUTHORIZED) return options.onRefused();
      setTimeout(connect, Math.min(5000, 500 * 2 ** attempt++));
    };
  }

  const stale = computed(
    () => now.value - lastHeard.value > options.staleMs || (!live.value && now.value - downSince.value > DOWN_MS),
  );
  const tick = setInterval(() => {
    now.value = Date.now();
    // A half-open connection delivers nothing and never closes by itself: drop it and reconnect.
    if (stale.value && socket?.readyState === WebSocket.OPEN) socket.close();
  }, 1000);
  connect();
  onUnmounted(() => {
    stopped = true;
    clearInterval(tick);
    changes.stop();
    socket?.close();
  });

  /** Sends a client message on the open connection; false when there is none. */
  function send(message: object): boolean {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  return {
    alerts,
    live,
    stale,
    now,
    send,
    silentSeconds: computed(() => Math.floor((now.value - lastHeard.value) / 1000)),
  };
}
