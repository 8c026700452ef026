import type { Clock, Logger, Queryable } from '@vigil/core';
import {
  alertEventSchema,
  regionTopic,
  type AlertEvent,
  type RegionAlertEvent,
  type RegionDeviceStatus,
  type RegionKind,
  type RegionSummary,
} from '@vigil/protocol';
import { coverageScore, facilityStatusCounts, residentPseudonyms } from '@vigil/store';
import type { RegionOptions } from '../config.js';
import type { UplinkSink } from '../hooks/context.js';
import type { StoredMessage } from '../persistence/stored-message.js';
import { regionPlanRecords } from './region-plans.js';

/**
 * The facility's messages to the regional hub (docs/hub.md "Messages"), appended to the uplink outbox so they are
 * stored and forwarded like device messages: alert lifecycle events (resident → pseudonym; no detail, note or
 * actor text), device status changes, a summary every `summaryIntervalS` and, checked as often, each emergency plan's
 * record when it changed (all of them again after a restart). Only the configured facility's own.
 */
export class RegionFeed {
  readonly #db: Queryable;
  readonly #sink: UplinkSink;
  readonly #options: RegionOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #pseudonyms = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;
  #tail: Promise<unknown> = Promise.resolve();
  #coverage: { score: number | null; at: number } | null = null;
  /** Each plan's record as last appended (without its time): a plan is sent again only when it changed. */
  readonly #sentPlans = new Map<string, string>();

  constructor(db: Queryable, sink: UplinkSink, options: RegionOptions, deps: { log: Logger; clock: Clock }) {
    this.#db = db;
    this.#sink = sink;
    this.#options = options;
    this.#log = deps.log.child({ module: 'region-feed', facility: options.facility });
    this.#clock = deps.clock;
    this.#timer = setInterval(() => void this.summarise(), options.summaryIntervalS * 1000);
    this.#timer.unref();
    void this.summarise();
  }

  /**
   * Appends the region copy of an alert event published by the alerts service (none for another facility's), in
   * the order they were published: a pseudonym look-up must not let a later event overtake it.
   */
  appendAlertEvent(payload: Buffer | string): Promise<void> {
    const appended = this.#tail.then(async () => {
      const message = await this.#fromAlertEvent(payload);
      if (message) await this.#sink.append(message);
    });
    this.#tail = appended.catch(() => undefined);
    return appended;
  }

  async #fromAlertEvent(payload: Buffer | string): Promise<StoredMessage | null> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      return null; // not an alert event; the alerts service's own subscribers judge it
    }
    const parsed = alertEventSchema.safeParse(json);
    if (!parsed.success || parsed.data.alert.facility !== this.#options.facility) return null;
    return this.#message('alert-event', await this.#pseudonymous(parsed.data));
  }

  /** A device connected or went away (connect, disconnect or Last Will). */
  deviceStatus(device: string, facility: string, online: boolean): void {
    if (facility !== this.#options.facility) return;
    const body: RegionDeviceStatus = { device, online, at: new Date(this.#clock.now()).toISOString() };
    this.#append(this.#message('device-status', body));
  }

  /** Appends the facility summary now (also run every `summaryIntervalS`). */
  async summarise(): Promise<void> {
    const { facility, summaryIntervalS } = this.#options;
    const now = this.#clock.now();
    try {
      const counts = await facilityStatusCounts(this.#db, facility);
      const body: RegionSummary = {
        at: new Date(now).toISOString(),
        intervalS: summaryIntervalS,
        ...counts,
        coverageScore: await this.#coverageScore(now),
      };
      await this.#sink.append(this.#message('summary', body));
      this.#sink.notify();
    } catch (err) {
      this.#log.error({ err }, 'facility summary not built; the hub will see this facility as silent');
    }
    await this.#planRecords(now);
  }

  async #planRecords(now: number): Promise<void> {
    try {
      let appended = false;
      for (const record of await regionPlanRecords(this.#db, this.#options.facility)) {
        const key = JSON.stringify(record);
        if (this.#sentPlans.get(record.plan) === key) continue;
        await this.#sink.append(this.#message('plan', { at: new Date(now).toISOString(), ...record }));
        this.#sentPlans.set(record.plan, key);
        appended = true;
      }
      if (appended) this.#sink.notify();
    } catch (err) {
      this.#log.error({ err }, 'plan records not built; sent at the next summary');
    }
  }

  /**
   * The facility's coverage score (0–1) over the trailing `coverageWindowH` hours, from the store's coverage audit,
   * computed at most every `coverageEveryS`; null (and logged) when the audit fails, so the summary still goes.
   */
  async #coverageScore(now: number): Promise<number | null> {
    const { facility, coverageWindowH = 24, coverageEveryS = 900 } = this.#options;
    if (this.#coverage && now - this.#coverage.at < coverageEveryS * 1000) return this.#coverage.score;
    let score: number | null = null;
    try {
      score =
        (await coverageScore(this.#db, facility, new Date(now - coverageWindowH * 3_600_000), new Date(now))) / 100;
    } catch (err) {
      this.#log.warn({ err }, 'coverage audit failed; summary without a coverage score');
    }
    this.#coverage = { score, at: now };
    return score;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #pseudonymous(e: AlertEvent): Promise<RegionAlertEvent> {
    const a = e.alert;
    let resident: string | null = null;
    if (a.resident !== null) {
      resident = this.#pseudonyms.get(a.resident) ?? null;
      if (resident === null) {
        resident = (await residentPseudonyms(this.#db, a.facility, [a.resident])).get(a.resident) ?? null;
        if (resident !== null) this.#pseudonyms.set(a.resident, resident);
      }
    }
    return {
      eventId: e.eventId,
      event: e.event,
      at: e.at,
      alertId: a.id,
      rule: a.rule,
      priority: a.priority,
      status: a.status,
      resident,
      device: a.device,
      location: a.location,
      drill: a.drill,
      escalationLevel: a.escalationLevel,
      raisedAt: a.raisedAt,
      acknowledgedAt: a.acknowledgedAt,
      resolvedAt: a.resolvedAt,
    };
  }

  #message(kind: RegionKind, body: object): StoredMessage {
    const payload = Buffer.from(JSON.stringify(body)).toString('base64');
    return { topic: regionTopic(this.#options.facility, kind), payload, qos: 1, retain: false, at: this.#clock.now() };
  }

  #append(message: StoredMessage): void {
    this.#sink.append(message).then(
      () => this.#sink.notify(),
      (err: unknown) => this.#log.error({ err, topic: message.topic }, 'region message not stored'),
    );
  }
}
