import { computed, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { api } from '../shared/api.js';

type Answer<T> = { data?: T; error?: { error: { code: string; message: string } } | unknown; response: Response };

type Said = { key: string; params?: Record<string, string> } | null;

/**
 * What the management pages say after a write: `done` (a confirmation) or `failed` with the api's own message (a 400
 * names the field, e.g. `body/thresholds/night/start: …`), shown in live regions and translated when the language
 * changes.
 */
export function useOutcome() {
  const { t } = useI18n();
  const confirmed = ref<Said>(null);
  const refused = ref<Said>(null);
  const say = (said: Said) => (said ? t(said.key, said.params ?? {}) : '');
  async function run<T>(
    call: () => Promise<Answer<T>>,
    key: string,
    params?: Record<string, string>,
  ): Promise<T | null> {
    confirmed.value = null;
    refused.value = null;
    try {
      const { data, error } = await call();
      if (data !== undefined) {
        confirmed.value = { key, params };
        return data;
      }
      const message = (error as { error?: { message?: string } } | undefined)?.error?.message ?? '';
      refused.value = { key: 'common.failed', params: { message } };
    } catch {
      refused.value = { key: 'common.unreachable' };
    }
    return null;
  }
  return { done: computed(() => say(confirmed.value)), failed: computed(() => say(refused.value)), run };
}

/** The facility's locations (id → name) for the room selects. */
export function useLocations(facility: string) {
  const locations = ref<{ id: string; name: string | null; kind: string }[]>([]);
  void api
    .GET('/api/v1/facilities/{facility}/locations', { params: { path: { facility } } })
    .then(({ data }) => (locations.value = data?.locations ?? []));
  return locations;
}
