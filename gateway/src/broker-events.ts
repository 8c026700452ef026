import type { Aedes, Client } from 'aedes';
import type { HookContext } from './hooks/context.js';
import type { OnlineDevices } from './status/online-devices.js';
import type { StatusWriter } from './status/status-writer.js';

/**
 * Broker lifecycle → device status rows and metrics. A device that vanishes with a Last Will set gets a
 * `will` row; one that sends DISCONNECT, or had no will, a `disconnect` row.
 */
/**
 * aedes drops a delivery whose broker counter is not above the last one delivered to that client
 * (lib/client.js `dedupe`, meant for clusters). With an on-disk persistence, publishes finish their
 * storage steps out of counter order, and that check then silently discards acknowledged QoS 1 messages
 * (moscajs/aedes#955, #994, both open). One broker has no cross-broker duplicates to suppress, so every
 * client gets a counter store that never remembers; the cost is a possible second copy for overlapping
 * subscriptions, which consumers already remove by (device, ts, seq).
 */
const NEVER_DUPLICATE: Record<string, number> = new Proxy(Object.create(null) as Record<string, number>, {
  get: () => 0,
  set: () => true,
});

export function watchBroker(broker: Aedes, ctx: HookContext, status: StatusWriter, online: OnlineDevices): void {
  broker.on('client', (client: Client) => {
    (client as Client & { duplicates: Record<string, number> }).duplicates = NEVER_DUPLICATE;
  });
  // aedes fails every write pending on a frozen client with the same error: count the client once.
  const drained = new WeakSet<Client>();
  broker.on('clientReady', (client: Client) => {
    const principal = ctx.principals.get(client);
    if (!principal) return;
    ctx.metrics.connectedClients.inc({ type: principal.type });
    ctx.log.info({ clientId: client.id, type: principal.type }, 'client connected');
    if (principal.type !== 'device') return;
    status.record(principal.id, principal.facility, 'connect');
    online.connected(principal.id, principal.facility);
  });
  broker.on('clientDisconnect', (client: Client) => {
    const principal = ctx.principals.get(client);
    if (!principal) return;
    ctx.metrics.connectedClients.dec({ type: principal.type });
    const source = ctx.willsPublished.has(client) ? 'will' : 'disconnect';
    ctx.log.info({ clientId: client.id, type: principal.type, source }, 'client disconnected');
    if (principal.type !== 'device') return;
    status.record(principal.id, principal.facility, source);
    online.disconnected(principal.id);
  });
  broker.on('clientError', (client: Client, err: Error) => {
    if (err.message === 'drain timeout') {
      if (drained.has(client)) return;
      drained.add(client);
      ctx.metrics.refusals.inc({ reason: 'drain_timeout' });
      ctx.log.warn({ clientId: client.id }, 'subscriber stopped reading; disconnected (drain timeout)');
    } else if (err.message === 'Client queue limit reached') ctx.metrics.refusals.inc({ reason: 'queue_overflow' });
    ctx.log.debug({ clientId: client.id, err: err.message }, 'client error');
  });
  broker.on('connectionError', (_client: Client, err: Error) => {
    if (/connect did not arrive in time/.test(err.message)) ctx.metrics.refusals.inc({ reason: 'connect_timeout' });
    else if (!/exceeds|ECONNRESET|EPIPE/.test(err.message)) ctx.metrics.refusals.inc({ reason: 'protocol_error' });
    ctx.log.debug({ err: err.message }, 'connection error before CONNECT');
  });
}
