import { ref } from 'vue';
import { api, type Alert } from '../shared/api.js';

export const PRIORITIES = ['critical', 'high', 'warning', 'info'] as const;

export interface FacilityStatus {
  id: string;
  name: string;
  region: string;
  residents: number;
  devices: number;
  offline: number;
  /** Unresolved alerts (open or acknowledged) by priority. */
  open: Record<Alert['priority'], number>;
  drills: number;
  medianSecondsToAcknowledge: number | null;
}

export function quarterStart(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)).toISOString();
}

async function unresolved(facility: string): Promise<Alert[]> {
  const pages = await Promise.all(
    (['open', 'acknowledged'] as const).map((status) =>
      api.GET('/api/v1/alerts', { params: { query: { facility, status, limit: 500 } } }),
    ),
  );
  return pages.flatMap((p) => p.data?.alerts ?? []);
}

async function status(id: string): Promise<FacilityStatus | null> {
  const [facility, alerts, drills] = await Promise.all([
    api.GET('/api/v1/facilities/{facility}', { params: { path: { facility: id } } }),
    unresolved(id),
    api.GET('/api/v1/drills', { params: { query: { facility: id, from: quarterStart(new Date()) } } }),
  ]);
  const f = facility.data;
  if (!f) return null;
  const open = Object.fromEntries(PRIORITIES.map((p) => [p, alerts.filter((a) => a.priority === p).length]));
  return {
    id: f.id,
    name: f.name,
    region: f.region,
    residents: f.counts.residents,
    devices: f.counts.devices,
    offline: f.counts.devices - f.counts.devicesOnline,
    open: open as FacilityStatus['open'],
    drills: drills.data?.summary.count ?? 0,
    medianSecondsToAcknowledge: drills.data?.summary.medianSecondsToAcknowledge ?? null,
  };
}

/** The live status of every facility in the region, aggregated: no resident, vital sign or device id. */
export function useFacilities() {
  const facilities = ref<FacilityStatus[]>([]);
  const load = async () => {
    const { data } = await api.GET('/api/v1/facilities');
    const all = await Promise.all((data?.facilities ?? []).map((f) => status(f.id)));
    facilities.value = all.filter((f): f is FacilityStatus => f !== null);
  };
  return { facilities, load };
}
