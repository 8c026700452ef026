import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can reset connections: while armed, the next `resets` client
 * connections that send data are reset (RST) instead of forwarded, so pg sees a real ECONNRESET.
 */
export interface FaultProxy {
  url: string;
  /** Reset the next `count` connections that send a query. */
  resetNext(count: number): void;
  /** Resets armed but not yet done. */
  pendingResets(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(databaseUrl: string): Promise<FaultProxy> {
  const target = new URL(databaseUrl);
  let resets = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    let startup = true;
    client.on('data', (chunk) => {
      // The first packet is the startup message; a query after it is where the reset bites.
      if (!startup && resets > 0) {
        resets--;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      startup = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    resetNext(count) {
      resets = count;
    },
    pendingResets: () => resets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
