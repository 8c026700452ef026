/**
 * The staff page's service worker (served as /staff-sw.js, scope /staff): shows the Web Push notifications dispatch
 * sends (`{"title","body","path"}`, dispatch/src/message.ts) and opens the page when one is tapped.
 */
interface PushMessage {
  title?: string;
  body?: string;
  path?: string;
}
interface WaitingEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface PushEventLike extends WaitingEvent {
  data: { json(): unknown } | null;
}
interface NotificationEventLike extends WaitingEvent {
  notification: Notification;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
}
interface WorkerScope {
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(options: { type: 'window' }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
}

// The DOM library types `self` as a window; in this file it is the worker's global scope.
const worker = self as unknown as WorkerScope;

function read(event: PushEventLike): PushMessage {
  try {
    return (event.data?.json() ?? {}) as PushMessage;
  } catch {
    return {};
  }
}

worker.addEventListener('push', (event) => {
  const message = read(event);
  event.waitUntil(
    worker.registration.showNotification(message.title ?? 'Vigil', {
      body: message.body ?? '',
      // One notification per order: a later one about it replaces the earlier.
      tag: message.path ?? 'vigil',
      requireInteraction: true,
      data: { path: message.path ?? '/staff' },
    }),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = (event.notification.data as { path?: string } | null)?.path ?? '/staff';
  event.waitUntil(
    worker.clients.matchAll({ type: 'window' }).then((open) => {
      const page = open.find((c) => new URL(c.url).pathname === '/staff');
      return page ? page.focus() : worker.clients.openWindow(path);
    }),
  );
});
