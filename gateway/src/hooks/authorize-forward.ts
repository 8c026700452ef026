import type { AedesPublishPacket, Client } from 'aedes';
import { mayReceive } from '../acl/rights.js';
import { refuse, type HookContext } from './context.js';

/**
 * aedes `authorizeForward`: the second check, per delivery. Retained messages and queued session messages
 * reach a client only through here, so nothing crosses the ACL even if a subscription predates a rights
 * change.
 */
export function authorizeForwardHook(ctx: HookContext) {
  return (client: Client, packet: AedesPublishPacket): AedesPublishPacket | null => {
    const principal = ctx.principals.get(client);
    if (!principal || !mayReceive(principal, packet.topic)) {
      // aedes itself never forwards $SYS to these clients; count only real ACL catches.
      if (!packet.topic.startsWith('$SYS/'))
        refuse(ctx, 'forward_denied', { clientId: client.id, topic: packet.topic });
      return null;
    }
    ctx.metrics.messagesOut.add(packet.topic);
    return packet;
  };
}
