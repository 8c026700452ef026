import type { AedesPublishPacket, Client } from 'aedes';
import type { HookContext } from './context.js';

/** aedes `published`: runs once the message is stored for every persistent session; its journal entry can go. */
export function publishedHook(ctx: HookContext) {
  return (packet: AedesPublishPacket, _client: Client | null, done: (error?: Error | null) => void): void => {
    const key = ctx.inFlight.get(packet);
    if (key !== undefined) {
      ctx.inFlight.delete(packet);
      ctx.journal.settle(key);
    }
    done(null);
  };
}
