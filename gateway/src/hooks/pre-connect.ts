import type { Client, ConnectPacket } from 'aedes';
import type { HookContext } from './context.js';

/**
 * aedes `preConnect`: PROTOCOL.md requires a keepalive of at most 60 s, so a dead device (power cut, radio
 * gone, half-open TCP) is noticed within 90 s and its Last Will goes out. A CONNECT with keepalive 0
 * (never) or above the limit is not refused — a misconfigured device that cannot connect is a blind spot —
 * but held to the limit: it must send something (a PINGREQ will do) at least every 1.5 × limit seconds.
 */
export function preConnectHook(ctx: HookContext) {
  return (_client: Client, packet: ConnectPacket, callback: (error: Error | null, success: boolean) => void): void => {
    const limit = ctx.limits.maxKeepaliveSeconds;
    if (!packet.keepalive || packet.keepalive > limit) {
      ctx.metrics.keepaliveCapped.inc();
      ctx.log.warn({ clientId: packet.clientId, asked: packet.keepalive, limit }, 'keepalive held to the limit');
      packet.keepalive = limit;
    }
    callback(null, true);
  };
}
