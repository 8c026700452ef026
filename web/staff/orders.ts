import { onUnmounted, ref } from 'vue';
import { api } from '../shared/api.js';
import type { paths } from '../shared/api-schema.js';

type Ok<T> = T extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
export type WorkOrder = Ok<paths['/api/v1/work-orders']['get']>['workOrders'][number];
export type Dwelling = Ok<paths['/api/v1/dwellings']['get']>['dwellings'][number];
export type Step = 'accept' | 'en-route' | 'on-site' | 'done';
export type Outcome = NonNullable<WorkOrder['outcome']>;
/** How a visit ends, in the order the staff page offers them (the api's `outcome`, docs/homecare.md). */
export const VISIT_OUTCOMES: readonly Outcome[] = ['resident_ok', 'needed_help', 'hospital_transfer', 'false_alarm'];

/** The step that follows an order's status (null: nothing left to do). */
export function nextStep(status: WorkOrder['status']): Step | null {
  const next: Partial<Record<WorkOrder['status'], Step>> = {
    offered: 'accept',
    accepted: 'en-route',
    en_route: 'on-site',
    on_site: 'done',
  };
  return next[status] ?? null;
}

/** How often the page asks for the orders again (docs/web.md "Staff page": why polling). */
export const POLL_MS = 5_000;

type OrderQuery = NonNullable<paths['/api/v1/work-orders']['get']['parameters']['query']>;

/**
 * The station's open work orders, the caller's own (`mine`), or those raised since `from` (`status: 'all'`), asked
 * for every `POLL_MS` and at once when the phone wakes the page (visibilitychange); `refresh()` after a step. A
 * `filter` answering null asks nothing (a view the signed-in person does not see).
 */
export function useWorkOrders(facility: string | null, filter: () => Omit<OrderQuery, 'facility'> | null) {
  const orders = ref<WorkOrder[]>([]);
  const loadedAt = ref<number | null>(null);
  const unreachable = ref(false);

  async function refresh(): Promise<void> {
    const wanted = filter();
    if (!wanted) return;
    const query = { ...(facility ? { facility } : {}), ...wanted };
    const result = await api.GET('/api/v1/work-orders', { params: { query } }).catch(() => null);
    unreachable.value = !result?.data;
    if (!result?.data) return;
    orders.value = result.data.workOrders;
    loadedAt.value = Date.now();
  }
  const onVisible = () => document.visibilityState === 'visible' && void refresh();
  const timer = setInterval(() => void refresh(), POLL_MS);
  document.addEventListener('visibilitychange', onVisible);
  onUnmounted(() => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });
  void refresh();
  return { orders, loadedAt, unreachable, refresh };
}

/** A clock for the on-site countdowns, ticking every second while the page is open. */
export function useNow() {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), 1_000);
  onUnmounted(() => clearInterval(timer));
  return now;
}
