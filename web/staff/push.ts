import { api } from '../shared/api.js';

/** Where this phone's push endpoint id is kept, so a reload knows it subscribed already. */
const ENDPOINT_KEY = 'vigil.staff.push-endpoint';
export const SERVICE_WORKER = '/staff-sw.js';

export type PushState = 'checking' | 'unsupported' | 'unconfigured' | 'off' | 'on' | 'denied' | 'failed';

/** The VAPID public key (base64url, RFC 8292) as the bytes `PushManager.subscribe` takes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register(SERVICE_WORKER, { scope: '/staff' });
  return navigator.serviceWorker.ready;
}

/** What this phone's push is: on when it has a subscription the api still holds as one of the caller's endpoints. */
export async function pushState(): Promise<{ state: PushState; key: string | null }> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return { state: 'unsupported', key: null };
  const { data } = await api.GET('/api/v1/notifications/vapid-key');
  const key = data?.publicKey ?? null;
  if (!key) return { state: 'unconfigured', key };
  if (Notification.permission === 'denied') return { state: 'denied', key };
  const subscription = await (await registration()).pushManager.getSubscription();
  const stored = Number(localStorage.getItem(ENDPOINT_KEY));
  if (!subscription || !stored) return { state: 'off', key };
  const endpoints = (await api.GET('/api/v1/notifications/endpoints')).data?.endpoints ?? [];
  return { state: endpoints.some((e) => e.id === stored && e.channel === 'push') ? 'on' : 'off', key };
}

/** Asks for permission, subscribes this browser with the key and registers the subscription as the caller's. */
export async function subscribePush(key: string): Promise<PushState> {
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const reg = await registration();
  const subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  const json = subscription.toJSON();
  const { data } = await api.POST('/api/v1/notifications/endpoints', {
    body: {
      channel: 'push',
      target: {
        subscription: {
          endpoint: subscription.endpoint,
          keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
        },
      },
    },
  });
  if (!data) return 'failed';
  localStorage.setItem(ENDPOINT_KEY, String(data.id));
  return 'on';
}
