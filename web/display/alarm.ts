import { computed, ref, watch, type Ref } from 'vue';
import type { Alert } from '../shared/api.js';

/**
 * Alarm sounds by priority after IEC 60601-1-8: a high-priority burst of 10 pulses (3 + 2, pause, 3 + 2), a
 * medium one of 3 pulses, a low one of 2; each repeats until every alert of that priority is acknowledged.
 */
const PATTERNS = {
  high: { offsets: [0, 0.2, 0.4, 1.0, 1.2, 2.0, 2.2, 2.4, 3.0, 3.2], hz: 880, every: 5 },
  medium: { offsets: [0, 0.3, 0.6], hz: 660, every: 10 },
  low: { offsets: [0, 0.4], hz: 520, every: 20 },
} as const;
type Level = keyof typeof PATTERNS;
const LEVEL_OF: Partial<Record<Alert['priority'], Level>> = { critical: 'high', high: 'medium', warning: 'low' };
const PAUSE_S = 120;

function burst(ctx: AudioContext, level: Level): void {
  const { offsets, hz } = PATTERNS[level];
  for (const offset of offsets) {
    const start = ctx.currentTime + offset;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.15);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + 0.16);
  }
}

/**
 * Sound for the open alerts, a one-time unlock (browsers need a gesture) and a pause of at most 2 minutes, granted by
 * the api to a signed-in caregiver only (DisplayApp asks), broken by any new critical alert.
 */
export function useAlarm(alerts: Map<string, Alert>, now: Ref<number>) {
  let ctx: AudioContext | null = null;
  const running = ref(false);
  const pausedUntil = ref(0);
  const pausedBy = ref('');
  let knownAtPause = new Set<string>();
  let lastBurst = 0;

  const level = computed<Level | null>(() => {
    const open = [...alerts.values()].filter((a) => a.status === 'open');
    for (const priority of ['critical', 'high', 'warning'] as const) {
      if (open.some((a) => a.priority === priority)) return LEVEL_OF[priority]!;
    }
    return null;
  });
  const pausedSeconds = computed(() => Math.max(0, Math.ceil((pausedUntil.value - now.value) / 1000)));

  function enable(): void {
    ctx ??= new AudioContext();
    void ctx.resume().then(() => (running.value = ctx?.state === 'running'));
  }
  /** A pause the api granted to a signed-in caregiver (`who`), for at most 2 minutes. */
  function pause(seconds: number, who: string): void {
    knownAtPause = new Set(alerts.keys());
    pausedUntil.value = Date.now() + Math.min(seconds, PAUSE_S) * 1000;
    pausedBy.value = who;
  }
  function resume(): void {
    pausedUntil.value = 0;
  }

  // A new critical alert ends the pause at once.
  watch(
    () => [...alerts.values()].filter((a) => a.priority === 'critical' && a.status === 'open').map((a) => a.id),
    (critical) => {
      if (critical.some((id) => !knownAtPause.has(id))) resume();
    },
  );
  watch([now, level], () => {
    if (!ctx || !running.value || !level.value || pausedSeconds.value > 0) return;
    if (Date.now() - lastBurst < PATTERNS[level.value].every * 1000) return;
    lastBurst = Date.now();
    burst(ctx, level.value);
  });

  return { level, soundOn: running, pausedSeconds, pausedBy, enable, pause, resume };
}
