import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { api, type FalseAlarms, type ResponseAnalytics } from '../shared/api.js';

export type ResponseGroup = ResponseAnalytics['groups'][number];
export type Shift = ResponseAnalytics['shifts'][number];
/** The three response times of docs/api.md "Response analytics", in the order a response happens. */
export const TIMES = ['toAcknowledge', 'toPresence', 'toResolve'] as const;

/** The period the analytics cover by default: the last 30 days, as `<input type="date">` values. */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { from: day(new Date(now.getTime() - 30 * 86_400_000)), to: day(new Date(now.getTime() + 86_400_000)) };
}

/** The response analytics and the false-alarm statistics of a facility over a period, from the api. */
export function useAnalytics() {
  const response = ref<ResponseAnalytics | null>(null);
  const falseAlarms = ref<FalseAlarms | null>(null);
  const load = async (facility: string | null, period: { from: string; to: string }) => {
    const query = {
      ...(facility ? { facility } : {}),
      from: new Date(period.from).toISOString(),
      to: new Date(period.to).toISOString(),
    };
    const [r, f] = await Promise.all([
      api.GET('/api/v1/analytics/response', { params: { query } }),
      api.GET('/api/v1/analytics/false-alarms', { params: { query } }),
    ]);
    response.value = r.data && typeof r.data !== 'string' ? r.data : null;
    falseAlarms.value = f.data && typeof f.data !== 'string' ? f.data : null;
  };
  return { response, falseAlarms, load };
}

/** Labels of groups: a shift by its name (the defaults translated), a rule by its name. */
export function useGroupLabel(report: () => ResponseAnalytics | null) {
  const { t } = useI18n();
  return (g: Pick<ResponseGroup, 'by' | 'key'>): string => {
    const r = report();
    if (g.by === 'rule') return t(`rules.${g.key}`);
    if (g.by === 'all') return t('analytics.all');
    const shift = r?.shifts.find((s) => s.id === g.key);
    if (!shift) return g.key ?? '';
    const name = r?.shiftsConfigured ? shift.name : t(`analytics.defaultShifts.${shift.id}`);
    return `${name} ${shift.starts}–${shift.ends}`;
  };
}

/** Seconds rounded to a tenth for tables and charts; null stays null ("not yet"). */
export const tenths = (s: number | null): number | null => (s === null ? null : Math.round(s * 10) / 10);
