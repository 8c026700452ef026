import { ref } from 'vue';
import { api, type ResponseAnalytics } from '../shared/api.js';
import { quarterStart } from './facilities.js';

type Group = ResponseAnalytics['groups'][number];

/** A facility's response statistics this quarter: real alerts and drills apart, and its coverage score if any. */
export interface FacilityResponse {
  id: string;
  name: string;
  real: Group | null;
  drills: Group | null;
  /** The coverage audit's score over the quarter; null while the facility has none to show. */
  coverageScore: number | null;
}

async function responseOf(id: string, name: string, from: string, to: string): Promise<FacilityResponse> {
  const query = { facility: id, from, to };
  const [response, coverage] = await Promise.all([
    api.GET('/api/v1/analytics/response', { params: { query } }),
    api.GET('/api/v1/coverage', { params: { query: { ...query, locale: 'zh-CN' } } }).catch(() => ({ data: null })),
  ]);
  const report = response.data && typeof response.data !== 'string' ? response.data : null;
  const overall = (drill: boolean) => report?.groups.find((g) => g.drill === drill && g.by === 'all') ?? null;
  const score = coverage.data && typeof coverage.data !== 'string' ? coverage.data.score : null;
  return { id, name, real: overall(false), drills: overall(true), coverageScore: score };
}

/** Response statistics of every facility of the region this quarter; groups of alerts only, pseudonymous. */
export function useFacilityResponses() {
  const facilities = ref<FacilityResponse[]>([]);
  const load = async () => {
    const now = new Date();
    const { data } = await api.GET('/api/v1/facilities');
    facilities.value = await Promise.all(
      (data?.facilities ?? []).map((f) => responseOf(f.id, f.name, quarterStart(now), now.toISOString())),
    );
  };
  return { facilities, load };
}
