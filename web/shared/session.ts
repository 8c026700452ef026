import { ref } from 'vue';
import { api, type Me } from './api.js';
import { displayToken, signIn, signOut, keepDisplayToken } from './auth.js';

/**
 * Who the page speaks for (`me`): a person signed in by the session cookie, or a display token. `credential` is
 * the display token (the stream's hello sends it) or null for a cookie session (the upgrade carries the cookie).
 * `refused` after a credential the api did not accept; `lockedFor` seconds after too many failed sign-ins.
 */
export function useSession() {
  const me = ref<Me | null>(null);
  const credential = ref<string | null>(displayToken());
  const checked = ref(false);
  const refused = ref(false);
  const lockedFor = ref<number | null>(null);

  async function check(): Promise<void> {
    const result = await api.GET('/api/v1/me').catch(() => null);
    checked.value = true;
    // Unreachable: keep a display token, the stream reconnects and the page shows it.
    if (!result) return;
    const { data, response } = result;
    if (data) me.value = data;
    else if (response.status === 401 && credential.value) void end(true);
  }
  async function begin(username: string, password: string): Promise<void> {
    const result = await signIn(username, password).catch(() => ({ ok: false as const, retryAfterS: null }));
    refused.value = !result.ok && result.retryAfterS === null;
    lockedFor.value = result.ok ? null : result.retryAfterS;
    if (result.ok) await check();
  }
  function beginDisplay(token: string): Promise<void> {
    keepDisplayToken(token);
    credential.value = displayToken();
    refused.value = false;
    return check();
  }
  async function end(wasRefused = false): Promise<void> {
    await signOut();
    credential.value = null;
    me.value = null;
    refused.value = wasRefused;
  }
  return { me, credential, checked, refused, lockedFor, check, begin, beginDisplay, end };
}
