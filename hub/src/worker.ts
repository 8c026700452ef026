import { readFile } from 'node:fs/promises';
import { connectMqttService, handleEach, type Logger, type MqttService, type Queryable } from '@vigil/core';
import { parseRegionMessage, regionSharedFilter, type RegionMessage } from '@vigil/protocol';
import { Backoff, isTransientDatabaseError, writeRegionMessage } from '@vigil/store';
import type { HubOptions } from './config.js';

/**
 * One hub worker: a durable MQTT 5 session on the shared subscription `$share/<group>/vigil/region/v1/#`, so the
 * broker splits the region's messages among the workers [MQTT-4.8.2]. Each message is written (idempotently) and
 * only then acknowledged: a worker killed mid-stream leaves its unacknowledged messages in its session, delivered
 * again when it (or a process with its worker id) comes back. While the database is away a write is retried (and the
 * broker holds the rest); a message that is not a region message, or that the database rejects, is logged and
 * acknowledged, never retried for ever.
 */
export async function startWorker(db: Queryable, o: HubOptions['mqtt'], log: Logger): Promise<MqttService> {
  const wlog = log.child({ module: 'hub-worker', worker: o.workerId });
  const backoff = new Backoff({ minMs: 200, maxMs: 5_000 });
  const write = async (m: RegionMessage): Promise<void> => {
    for (;;) {
      try {
        await writeRegionMessage(db, m);
        backoff.reset();
        return;
      } catch (err) {
        if (!isTransientDatabaseError(err)) throw err;
        wlog.warn({ err, facility: m.facility }, 'region database unavailable; retrying');
        await backoff.wait();
      }
    }
  };
  return connectMqttService({
    url: o.url,
    username: o.username,
    password: o.password,
    ...(o.caFile ? { ca: await readFile(o.caFile) } : {}),
    clientId: `vigil-hub-${o.workerId}`,
    session: 'durable',
    protocolVersion: 5,
    filters: [regionSharedFilter(o.group)],
    log: wlog,
    ...(o.tuning ? { tuning: o.tuning } : {}),
    handler: handleEach(async (message) => {
      const parsed = parseRegionMessage(message.topic, message.payload);
      if (!parsed) {
        wlog.warn({ topic: message.topic }, 'not a region message; dropped');
        return;
      }
      await write(parsed);
    }, wlog),
  });
}
