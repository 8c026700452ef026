import { ref } from 'vue';
import { api, type Me } from './api.js';
import { signIn, signOut, token } from './auth.js';

/** Who the page's credential speaks for; `refused` after a credential the api did not accept. */
export function useSession() {
  const me = ref<Me | null>(null);
  const credential = ref<string | null>(token());
  const refused = ref(false);

  async function check(): Promise<void> {
    if (!credential.value) return;
    const result = await api.GET('/api/v1/me').catch(() => null);
    // Unreachable: keep the credential, the stream reconnects and the page shows it.
    if (!result) return;
    const { data, response } = result;
    if (data) me.value = data;
    else if (response.status === 401) end(true);
  }
  function begin(value: string): Promise<void> {
    signIn(value);
    credential.value = token();
    refused.value = false;
    return check();
  }
  function end(wasRefused = false): void {
    signOut();
    credential.value = null;
    me.value = null;
    refused.value = wasRefused;
  }
  return { me, credential, refused, check, begin, end };
}
