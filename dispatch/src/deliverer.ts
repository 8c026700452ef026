import type pg from 'pg';
import type { Clock, Logger } from '@vigil/core';
import { INTERNAL_TOPICS, type ChannelStatus, type NotifyChannel } from '@vigil/protocol';
import {
  dueDeliveries,
  endpointDown,
  getDwelling,
  getEndpoint,
  getWorkOrder,
  recordAttempt,
  type Delivery,
} from '@vigil/store';
import { composeMessage } from './message.js';
import type { Send } from './channels/types.js';

export interface DelivererOptions {
  pool: pg.Pool;
  log: Logger;
  clock: Clock;
  channels: Record<NotifyChannel, Send>;
  maxAttempts: number;
  /** The first retry waits this long; each further one twice as long as the one before. */
  retryMs: number;
  /** Publishes a channel's state (QoS 1) on `INTERNAL_TOPICS.channelStatus`. */
  publish: (topic: string, payload: string) => void;
  /** Only this station's deliveries (null: every station's). */
  station: string | null;
}

/**
 * Sends the due deliveries and records each attempt's outcome. A failure is retried with doubling waits; after
 * `maxAttempts` the delivery is failed and its endpoint reported `down` on the broker (and `up` again after its
 * next success), so that a channel nobody hears from is seen. Runs one pass at a time; `wake()` asks for another.
 */
export class Deliverer {
  private running: Promise<void> | null = null;
  private again = false;
  constructor(private readonly o: DelivererOptions) {}

  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.o.log.error({ err }, 'delivery pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Waits for the pass under way (close). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = await dueDeliveries(this.o.pool, new Date(this.o.clock.now()), this.o.station);
      if (!due.length) return;
      await Promise.all(due.map((d) => this.deliver(d)));
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    const { pool, log, clock } = this.o;
    const [endpoint, order] = await Promise.all([getEndpoint(pool, d.endpoint), getWorkOrder(pool, d.workOrder)]);
    if (!endpoint || !order) {
      // Removed since it was queued (a phone's subscription withdrawn): settled, so it is not due for ever.
      const error = 'endpoint removed';
      return recordAttempt(pool, d.id, { sent: false, at: new Date(clock.now()), error, retryAt: null });
    }
    const dwelling = await getDwelling(pool, order.facility, order.location);
    const message = composeMessage(d.reason, order, dwelling);
    try {
      await this.o.channels[endpoint.channel]({ endpoint, order, reason: d.reason, message });
      const wasDown = await endpointDown(pool, endpoint.id);
      await recordAttempt(pool, d.id, { sent: true, at: new Date(clock.now()) });
      log.info({ delivery: d.id, channel: endpoint.channel, reason: d.reason }, 'notification sent');
      if (wasDown) this.report(endpoint.facility, endpoint.id, endpoint.channel, 'up', null);
    } catch (err) {
      const attempts = d.attempts + 1;
      const reason = (err as Error).message;
      const now = clock.now();
      const retryAt = attempts < this.o.maxAttempts ? new Date(now + this.o.retryMs * 2 ** (attempts - 1)) : null;
      await recordAttempt(pool, d.id, { sent: false, at: new Date(now), error: reason, retryAt });
      log.warn({ delivery: d.id, channel: endpoint.channel, attempts, reason }, 'notification failed');
      if (!retryAt) this.report(endpoint.facility, endpoint.id, endpoint.channel, 'down', reason);
    }
  }

  private report(
    facility: string,
    endpoint: number,
    channel: NotifyChannel,
    state: ChannelStatus['state'],
    reason: string | null,
  ) {
    const status: ChannelStatus = {
      facility,
      endpoint,
      channel,
      state,
      at: new Date(this.o.clock.now()).toISOString(),
      reason,
    };
    this.o.publish(`${INTERNAL_TOPICS.channelStatus}/${facility}/${endpoint}`, JSON.stringify(status));
  }
}
