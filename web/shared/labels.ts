import { useI18n } from 'vue-i18n';
import { reactive } from 'vue';
import { api, type Alert } from './api.js';

export interface Labels {
  residents: Record<string, string | null>;
  locations: Record<string, string | null>;
}

/** "王秀英 · 101 房" for an alert, from the facility's names; the device when the alert names nobody. */
export function useWho(labels: Labels) {
  const { t } = useI18n();
  return (alert: Alert): string => {
    const parts: string[] = [];
    if (alert.resident) parts.push(labels.residents[alert.resident] ?? alert.resident);
    if (alert.location) parts.push(labels.locations[alert.location] ?? alert.location);
    if (!parts.length && alert.device) parts.push(t('display.device', { id: alert.device }));
    return parts.join(' · ');
  };
}

/** The facility's names for residents and locations (not for regulators, who see pseudonyms only). */
export function useLabels() {
  const labels = reactive<Labels & { facility: string }>({ facility: '', residents: {}, locations: {} });
  const load = async () => {
    const { data } = await api.GET('/api/v1/display/labels').catch(() => ({ data: undefined }));
    if (data)
      Object.assign(labels, { facility: data.facility.name, residents: data.residents, locations: data.locations });
  };
  return { labels, load };
}
