import { ref, watch, type Ref } from 'vue';
import { api, type Alert, type Timeline } from '../shared/api.js';

/** ±30 minutes around the incident (the timeline route, docs/api.md "REST"). */
const WINDOW_S = 1800;

/** An incident's timeline, loaded again whenever its id changes. */
export function useTimeline(id: () => string): Ref<Timeline | null> {
  const timeline = ref<Timeline | null>(null);
  watch(
    id,
    async (alertId) => {
      const { data } = await api.GET('/api/v1/alerts/{id}/timeline', {
        params: { path: { id: alertId }, query: { before: WINDOW_S, after: WINDOW_S } },
      });
      timeline.value = data ?? null;
    },
    { immediate: true },
  );
  return timeline;
}

/** Seconds from the alert's raising to a later moment of it (acknowledged, present, resolved); null: not yet. */
export const secondsAfterRaised = (alert: Alert, at: string | null): number | null =>
  at === null ? null : (Date.parse(at) - Date.parse(alert.raisedAt)) / 1000;
