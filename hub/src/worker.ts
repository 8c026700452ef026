import { readFile } from 'node:fs/promises';
import type { Logger, MessageHandler, MqttMessage, MqttService, Pool } from '@vigil/core';
import { connectMqttService } from '@vigil/core';
import { parseRegionMessage, regionSharedFilter, type RegionMessage } from '@vigil/protocol';
import { Backoff, isTransientDatabaseError, writeIsolating, writeRegionMessages } from '@vigil/store';
import type { HubOptions } from './config.js';

/** Messages written in one transaction at most: what arrived while the previous batch was being written. */
const MAX_BATCH = 500;

interface Pending {
  region: RegionMessage;
  message: MqttMessage;
}

/**
 * One hub worker: a durable MQTT 5 session on the shared subscription `$share/<group>/vigil/region/v1/#`, so the
 * broker splits the region's messages among the workers [MQTT-4.8.2]. Messages are written (idempotently) in
 * batches, one transaction each — what arrived while the previous batch was written — and each is acknowledged
 * only once its batch committed: a worker killed mid-stream leaves its unacknowledged messages in its session,
 * delivered again when it (or a process with its worker id) comes back. While the database is away the batch is
 * retried (and the broker holds the rest); a message that is not a region message, or that the database rejects
 * (isolated from its batch), is logged and acknowledged, never retried for ever.
 */
export async function startWorker(db: Pool, o: HubOptions['mqtt'], log: Logger): Promise<MqttService> {
  const wlog = log.child({ module: 'hub-worker', worker: o.workerId });
  const backoff = new Backoff({ minMs: 200, maxMs: 5_000 });
  const pending: Pending[] = [];
  let draining = false;

  const writeBatch = async (batch: Pending[]): Promise<void> => {
    let rest = batch;
    for (;;) {
      try {
        await writeIsolating(
          rest,
          (items) =>
            writeRegionMessages(
              db,
              items.map((i) => i.region),
            ),
          async (item, err) => wlog.error({ err, facility: item.region.facility }, 'region message refused; dropped'),
          (items) => {
            for (const i of items) i.message.ack?.();
            rest = rest.slice(items.length);
          },
        );
        backoff.reset();
        return;
      } catch (err) {
        if (!isTransientDatabaseError(err)) throw err;
        wlog.warn({ err, waiting: rest.length }, 'region database unavailable; retrying');
        await backoff.wait();
      }
    }
  };
  const drain = async (): Promise<void> => {
    draining = true;
    try {
      while (pending.length) await writeBatch(pending.splice(0, MAX_BATCH));
    } catch (err) {
      wlog.error({ err }, 'region batch failed');
    } finally {
      draining = false;
    }
  };
  const handler: MessageHandler = (message, next) => {
    const region = parseRegionMessage(message.topic, message.payload);
    if (!region) {
      wlog.warn({ topic: message.topic }, 'not a region message; dropped');
      message.ack?.();
    } else {
      pending.push({ region, message });
      if (!draining) void drain();
    }
    next();
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
    handler,
  });
}
