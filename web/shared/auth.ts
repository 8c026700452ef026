// The one place that knows how a person signs in (docs/web.md "Sign-in"). Today: a bearer token from
// `vigil token create`, kept in localStorage. After the sign-in api lands: POST /api/v1/auth/login with the
// HttpOnly cookie, and `token()` returns what /auth/login answered.
const TOKEN_KEY = 'vigil.token';
const STAFF_MS = 5 * 60 * 1000;

let staff: { token: string; until: number } | null = null;

/** The page's credential, taken from `?token=` once (then removed from the address bar) or from storage. */
export function token(): string | null {
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
  }
  return localStorage.getItem(TOKEN_KEY);
}

export function signIn(credential: string): void {
  localStorage.setItem(TOKEN_KEY, credential.trim());
}

export function signOut(): void {
  localStorage.removeItem(TOKEN_KEY);
  staff = null;
}

/** A caregiver's own credential for acting from a watch-only display, kept in memory for 5 minutes. */
export function staffToken(): string | null {
  return staff && Date.now() < staff.until ? staff.token : null;
}

export function rememberStaff(credential: string): void {
  staff = { token: credential.trim(), until: Date.now() + STAFF_MS };
}

export function forgetStaff(): void {
  staff = null;
}
