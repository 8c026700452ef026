import type pg from 'pg';
import { checkout, inTransaction, type Logger } from '@vigil/core';
import { MAINTENANCE_RULES, type Alert, type AlertEvent, type AlertPriority, type AlertRule } from '@vigil/protocol';
import {
  cancelWorkOrder,
  getDwelling,
  getFacility,
  onDuty,
  openWorkOrder,
  queueDeliveries,
  type WorkOrder,
} from '@vigil/store';
import { loadAudience, planDeliveries } from './audience.js';

/** Alerts that send someone to the door; lower priorities (a reminder) stay on the wall display. */
export const DISPATCHED_PRIORITIES: ReadonlySet<AlertPriority> = new Set(['critical', 'high']);
/** About the kit rather than the person: a technician's errand, not a 15-minute call (docs/homecare.md). */
export const UNDISPATCHED_RULES: ReadonlySet<AlertRule> = new Set(MAINTENANCE_RULES);

export interface DispatcherOptions {
  pool: pg.Pool;
  log: Logger;
  onSiteMs: number;
  /** Told after a commit that queued deliveries, so the deliverer starts at once. */
  queued: () => void;
  /** Only this station's alerts (null: every station's); the others' events are acknowledged untouched. */
  station: string | null;
}

/**
 * Turns alert events into work orders: a `raised` alert of a dwelling opens its station's order, offered to the
 * staff on duty in the dwelling's district (or the station's leads when nobody is), with the deliveries that tell
 * them, in one transaction. The event is acknowledged to the broker only after it commits, and a redelivered event
 * finds the order it opened (the alert id is unique), so an order is neither lost nor doubled.
 */
export class Dispatcher {
  constructor(private readonly o: DispatcherOptions) {}

  async handle(event: AlertEvent): Promise<void> {
    if (this.o.station !== null && event.alert.facility !== this.o.station) return;
    if (event.event === 'raised') await this.open(event.alert);
    else if (event.event === 'resolved' || event.event === 'auto_cleared')
      await cancelWorkOrder(this.o.pool, event.alert.id, new Date(event.at));
  }

  private async open(alert: Alert): Promise<WorkOrder | null> {
    if (
      alert.drill ||
      !alert.location ||
      !DISPATCHED_PRIORITIES.has(alert.priority) ||
      UNDISPATCHED_RULES.has(alert.rule)
    )
      return null;
    const { pool, log } = this.o;
    const [dwelling, facility] = await Promise.all([
      getDwelling(pool, alert.facility, alert.location),
      getFacility(pool, alert.facility),
    ]);
    if (!dwelling || !facility) return null;
    // Times come from the alert, not from when this event arrived: a redelivery computes the same order.
    const raisedAt = new Date(alert.raisedAt);
    const duty = await onDuty(pool, alert.facility, dwelling.district, raisedAt);
    const offeredTo = duty.staff.length ? duty.staff : duty.leads;
    const order = await checkout(pool, (client) =>
      inTransaction(client, async () => {
        const { order } = await openWorkOrder(client, {
          facility: alert.facility,
          location: alert.location!,
          resident: alert.resident,
          alertId: alert.id,
          rule: alert.rule,
          priority: alert.priority,
          offeredTo,
          createdAt: raisedAt,
          onSiteDueAt: new Date(raisedAt.getTime() + this.o.onSiteMs),
        });
        const occasion = { workOrder: order.id, rule: alert.rule, priority: alert.priority, at: raisedAt.getTime() };
        const staff = await loadAudience(client, alert.facility, order.offeredTo, { station: true, familyOf: null });
        const family =
          alert.priority === 'critical' && alert.resident
            ? await loadAudience(client, alert.facility, [], { station: false, familyOf: alert.resident })
            : null;
        // Queued on every delivery of the event: ON CONFLICT keeps the first, and a crash before this commit
        // leaves nothing behind.
        await queueDeliveries(
          client,
          [
            ...planDeliveries(staff, { ...occasion, reason: 'offered', timeZone: facility.timezone }),
            ...(family ? planDeliveries(family, { ...occasion, reason: 'family', timeZone: facility.timezone }) : []),
          ],
          raisedAt,
        );
        return order;
      }),
    );
    if (!offeredTo.length) log.warn({ workOrder: order.id, facility: alert.facility }, 'nobody on duty to offer to');
    log.info({ workOrder: order.id, alertId: alert.id, offered: offeredTo.length }, 'work order open');
    this.o.queued();
    return order;
  }
}
