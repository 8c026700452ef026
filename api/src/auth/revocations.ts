import type { Logger } from '@vigil/core';
import { listenForRevocations, REVOCATIONS_CHANNEL, type Revocation } from '@vigil/store';
import pg from 'pg';
import type { TokenResolver } from '../auth.js';

const RECONNECT_MS = 1_000;

/**
 * Listens for revocations made anywhere (this instance, another one, `vigil token revoke`, `vigil user disable`) and
 * evicts the affected tokens from the resolver, which also closes their open streams. While the listening connection
 * is down a notification can be missed, so every (re)connection forgets the whole cache: the next request of each
 * token looks it up again.
 */
export async function listenForRevocationsOf(
  resolver: TokenResolver,
  databaseUrl: string,
  log: Logger,
): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | null = null;

  const connect = async (): Promise<void> => {
    const own = new pg.Client({ connectionString: databaseUrl, application_name: 'vigil-api-revocations' });
    client = own;
    const lost = (err?: Error) => {
      if (closed || client !== own) return;
      client = null;
      if (err) log.warn({ err: { message: err.message } }, 'revocation listener lost its connection; retrying');
      own.end().catch(() => undefined);
      setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS).unref();
    };
    own.on('error', lost);
    own.on('end', () => lost());
    own.on('notification', (message) => {
      if (message.channel !== REVOCATIONS_CHANNEL || !message.payload) return;
      const revocation = JSON.parse(message.payload) as Revocation;
      if ('user' in revocation) resolver.forget((p) => p.user === revocation.user);
      else if (revocation.tokens.length) resolver.forget((p) => revocation.tokens.includes(p.tokenId));
    });
    try {
      await own.connect();
      await listenForRevocations(own);
      resolver.forget(() => true);
    } catch (err) {
      lost(err as Error);
      throw err;
    }
  };

  await connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}
