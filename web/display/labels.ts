import { useI18n } from 'vue-i18n';
import type { Alert } from '../shared/api.js';

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
