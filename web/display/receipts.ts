import { MAX_RECEIPTS_PER_MESSAGE, type StreamReceiptItem, type StreamServerMessage } from '@vigil/protocol';
import { nextTick, onUnmounted } from 'vue';

/** Receipts go out in small batches, this often at most. */
const FLUSH_MS = 200;

/**
 * The display's receipts (IHE ACM; docs/api.md "WebSocket stream"): every alert event it received is confirmed
 * `delivered` at once, and `shown` once it is on screen — once in the page's alerts (web/shared/alert-changes.ts),
 * after the page has rendered it and while the page is visible (a hidden tab shows nothing). A snapshot's alerts are
 * confirmed as event 0. The api records them per display, and the alerts service escalates an alert no display showed
 * within 10 s.
 */
export function useReceipts(send: (message: object) => boolean) {
  const pending = new Map<string, StreamReceiptItem>();
  let toShow: StreamReceiptItem[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const add = (receipt: StreamReceiptItem) => {
    const key = `${receipt.alertId}/${receipt.eventId}`;
    pending.set(key, { ...pending.get(key), ...receipt });
    timer ??= setTimeout(flush, FLUSH_MS);
  };
  function flush(): void {
    timer = undefined;
    if (!pending.size) return;
    // Without a connection they are dropped: the api takes receipts only for what it sent on the same connection.
    const receipts = [...pending.values()];
    pending.clear();
    // A burst or a crowded wall's snapshot confirms hundreds at once.
    for (let i = 0; i < receipts.length; i += MAX_RECEIPTS_PER_MESSAGE)
      send({ type: 'receipt', receipts: receipts.slice(i, i + MAX_RECEIPTS_PER_MESSAGE) });
  }
  function showWhenVisible(): void {
    if (document.visibilityState !== 'visible' || !toShow.length) return;
    for (const receipt of toShow.splice(0)) add({ ...receipt, shown: true });
  }
  /** After Vue has patched the page and the browser has painted it. */
  const afterPaint = () => nextTick(() => requestAnimationFrame(() => requestAnimationFrame(showWhenVisible)));

  const itemsOf = (message: StreamServerMessage) =>
    message.type === 'snapshot'
      ? message.alerts.map((alert) => ({ alertId: alert.id, eventId: 0, resolved: false }))
      : message.type === 'alert'
        ? [{ alertId: message.alert.id, eventId: message.eventId, resolved: message.alert.status === 'resolved' }]
        : [];

  /** A message as it arrives: delivered. */
  function received(message: StreamServerMessage): void {
    for (const { alertId, eventId } of itemsOf(message)) add({ alertId, eventId, delivered: true });
  }
  /** Messages once in the page's alerts (a burst's last ones a few frames later): shown once drawn. */
  function applied(messages: StreamServerMessage[]): void {
    // A resolved alert leaves the screen: delivered, never shown.
    const shown = messages.flatMap(itemsOf).filter((item) => !item.resolved);
    for (const { alertId, eventId } of shown) toShow.push({ alertId, eventId });
    if (shown.length) void afterPaint();
  }

  document.addEventListener('visibilitychange', showWhenVisible);
  onUnmounted(() => {
    document.removeEventListener('visibilitychange', showWhenVisible);
    clearTimeout(timer);
    toShow = [];
  });
  return { received, applied };
}
