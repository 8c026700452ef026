import type { StreamServerMessage } from '@vigil/protocol';
import type { Alert } from './api.js';

type AlertMessage = Extract<StreamServerMessage, { type: 'alert' }>;

/**
 * While the page is hidden, alert changes arriving within this long are applied together: a timer, as a hidden page
 * draws no frames but still takes them in and sounds.
 */
const BATCH_MS = 16;
/**
 * At most this many changes are drawn in one animation frame: a burst of hundreds is drawn over a few frames, the
 * most urgent first, instead of in one that stalls the wall (`npm run bench -- web`: no frame over 50 ms).
 */
export const SLICE = 10;

/**
 * The stream's alert changes on their way into `alerts` (docs/web.md "Wall display `/display`"): while the page is
 * visible, applied in the next animation frame, at most SLICE a frame — removals first (they free the wall), then by
 * `order`, so a critical alert is never behind lower ones; while it is hidden, all at once after BATCH_MS. Either
 * way a burst (a floor's detectors, a reconnect's backlog) is one re-render per frame, not one per message.
 * `applied` gets each change's messages once it is in `alerts`; none is dropped, a later change of the same alert
 * replaces an earlier one still waiting.
 */
export function alertChanges(
  alerts: Map<string, Alert>,
  options: { order(a: Alert, b: Alert): number; applied(messages: AlertMessage[]): void },
) {
  /** By alert id: its newest state (null: resolved) and every message that led to it. */
  const pending = new Map<string, { alert: Alert | null; messages: AlertMessage[] }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame: number | undefined;

  const hidden = () => document.visibilityState !== 'visible';
  const urgency = (a: Alert | null, b: Alert | null) => (a && b ? options.order(a, b) : a ? 1 : b ? -1 : 0);

  function apply(): void {
    timer = frame = undefined;
    let ids = [...pending.keys()];
    if (!hidden() && ids.length > SLICE)
      ids = ids.sort((a, b) => urgency(pending.get(a)!.alert, pending.get(b)!.alert)).slice(0, SLICE);
    const messages: AlertMessage[] = [];
    for (const id of ids) {
      const { alert, messages: of } = pending.get(id)!;
      pending.delete(id);
      if (alert) alerts.set(id, alert);
      else alerts.delete(id);
      messages.push(...of);
    }
    options.applied(messages);
    if (pending.size) schedule();
  }
  function schedule(): void {
    if (frame !== undefined || timer !== undefined) return;
    if (hidden()) timer = setTimeout(apply, BATCH_MS);
    else frame = requestAnimationFrame(apply);
  }
  /** A frame asked for while visible never comes once hidden: take the rest in now. */
  function onVisibility(): void {
    if (!hidden() || frame === undefined) return;
    cancelAnimationFrame(frame);
    apply();
  }
  document.addEventListener('visibilitychange', onVisibility);

  function push(message: AlertMessage): void {
    const { alert } = message;
    const state = alert.status === 'resolved' ? null : alert;
    const waiting = pending.get(alert.id);
    if (waiting) {
      waiting.alert = state;
      waiting.messages.push(message);
    } else pending.set(alert.id, { alert: state, messages: [message] });
    schedule();
  }
  /** Forgets what is waiting (a snapshot supersedes it). */
  function clear(): void {
    clearTimeout(timer);
    if (frame !== undefined) cancelAnimationFrame(frame);
    timer = frame = undefined;
    pending.clear();
  }
  function stop(): void {
    clear();
    document.removeEventListener('visibilitychange', onVisibility);
  }
  return { push, clear, stop };
}
