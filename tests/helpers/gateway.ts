import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { start, type GatewayHandle, type GatewayOptions } from '@vigil/gateway';

/**
 * A real gateway for a test: port 0 on 127.0.0.1, its state in a fresh temp dir that close() removes.
 * Pass `dataDir` to keep state across a restart (the caller then removes it).
 */
export async function startTestGateway(
  databaseUrl: string,
  options: Partial<GatewayOptions> = {},
): Promise<GatewayHandle & { dataDir: string }> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'vigil-gw-')));
  const handle = await start({ port: 0, authCacheTtlMs: 60_000, ...options, databaseUrl, dataDir });
  return {
    ...handle,
    dataDir,
    async close() {
      await handle.close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
