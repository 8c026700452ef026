import type pg from 'pg';
import { checkout, inTransaction, type Clock, type Logger } from '@vigil/core';
import { getDwelling, getFacility, markEscalated, onDuty, queueDeliveries, unacceptedSince } from '@vigil/store';
import { loadAudience, planDeliveries } from './audience.js';

export interface EscalatorOptions {
  pool: pg.Pool;
  log: Logger;
  clock: Clock;
  acceptMs: number;
  queued: () => void;
  /** Only this station's orders (null: every station's). */
  station: string | null;
}

/**
 * Escalates to the station lead every work order nobody accepted within `acceptMs` of its alert: marks it and queues
 * the lead's notifications in one transaction, so a crash cannot escalate without telling (or tell twice).
 */
export class Escalator {
  constructor(private readonly o: EscalatorOptions) {}

  /** One pass; called on every tick. Returns how many orders it escalated. */
  async tick(): Promise<number> {
    const { pool, log, clock, acceptMs } = this.o;
    const now = new Date(clock.now());
    const due = await unacceptedSince(pool, new Date(now.getTime() - acceptMs), this.o.station);
    let escalated = 0;
    for (const order of due) {
      const [dwelling, facility] = await Promise.all([
        getDwelling(pool, order.facility, order.location),
        getFacility(pool, order.facility),
      ]);
      const { leads } = await onDuty(pool, order.facility, dwelling?.district ?? null, now);
      const done = await checkout(pool, (client) =>
        inTransaction(client, async () => {
          if (!(await markEscalated(client, order.id, leads, now))) return false;
          const audience = await loadAudience(client, order.facility, leads, { station: true, familyOf: null });
          await queueDeliveries(
            client,
            planDeliveries(audience, {
              workOrder: order.id,
              reason: 'escalated',
              rule: order.rule,
              priority: order.priority,
              at: now.getTime(),
              timeZone: facility?.timezone ?? 'UTC',
            }),
            now,
          );
          return true;
        }),
      );
      if (!done) continue;
      escalated++;
      if (!leads.length) log.warn({ workOrder: order.id }, 'escalation found no station lead on duty');
      log.warn({ workOrder: order.id, leads: leads.length }, 'work order not accepted: escalated to the lead');
    }
    if (escalated) this.o.queued();
    return escalated;
  }
}
