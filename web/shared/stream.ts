import type { StreamServerMessage } from '@vigil/protocol';
import { computed, onUnmounted, reactive, ref } from 'vue';
import type { Alert } from './api.js';

/** Close code of a refused hello (protocol/src/stream.ts). */
const UNAUTHORIZED = 4401;

/** Not connected for this long (the api stopped, the network is down) counts as disconnected at once. */
const DOWN_MS = 5000;

/**
 * The open alerts of the credential's scope, live from /api/v1/stream (docs/api.md "WebSocket stream"):
 * resumes with `since` after a drop; stale after `staleMs` without a message, or 5 s without a connection. The hello
 * carries the display token, or none for a person signed in by cookie (the upgrade request carries the cookie).
 */
export function useAlertStream(credential: string | null, options: { staleMs: number; onRefused(): void }) {
  const alerts = reactive(new Map<string, Alert>());
  const lastHeard = ref(Date.now());
  const now = ref(Date.now());
  const live = ref(false);
  const downSince = ref(Date.now());
  let lastEventId: number | null = null;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let stopped = false;

  function receive(message: StreamServerMessage): void {
    if (message.type === 'snapshot') {
      alerts.clear();
      for (const alert of message.alerts) alerts.set(alert.id, alert);
      lastEventId = message.lastEventId;
    } else if (message.type === 'alert') {
      if (lastEventId !== null && message.eventId <= lastEventId) return;
      lastEventId = message.eventId;
      if (message.alert.status === 'resolved') alerts.delete(message.alert.id);
      else alerts.set(message.alert.id, message.alert);
    } else {
      // Everything up to this id that concerns us came before the heartbeat: resume from here.
      lastEventId = Math.max(lastEventId ?? 0, message.lastEventId);
    }
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
          ...(lastEventId === null ? {} : { since: lastEventId }),
        }),
      );
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      lastHeard.value = Date.now();
      live.value = true;
      attempt = 0;
      receive(JSON.parse(String(event.data)) as StreamServerMessage);
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
    socket?.close();
  });

  return { alerts, live, stale, now, silentSeconds: computed(() => Math.floor((now.value - lastHeard.value) / 1000)) };
}
