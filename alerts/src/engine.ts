import type { Clock, Logger } from '@vigil/core';
import { parseDeviceMessage, parseDeviceTopic, type DeviceTopic, type ParsedMessage } from '@vigil/protocol';
import type { AlertBook, EscalationPolicy, Transition } from './alert-book.js';
import type { AlertCommand, CommandResult } from './commands.js';
import type { CreationCap } from './creation-cap.js';
import type { Appended, EventLog } from './event-log.js';
import type { AlertsMetrics } from './metrics.js';
import type { DeviceContext, RegistryCache } from './registry-cache.js';
import type { FacilityIntent, RuleRunner } from './rule-runner.js';
import { deviceActor, presenceConcerns } from './call-presence.js';
import { channelStatusIntent, isChannelStatusTopic } from './channel-status.js';
import { subjects } from './rules/intent.js';
import type { AlertIntent, RuleInput } from './rules/types.js';
import type { ReplayItem } from './restore.js';

export interface EngineParts<Settings> {
  book: AlertBook;
  runner: RuleRunner<Settings>;
  eventLog: EventLog;
  registry: RegistryCache;
  clock: Clock;
  escalation: EscalationPolicy;
  cap: CreationCap;
  /** Whether this worker owns the facility or may come to (docs/alerts.md "Workers"): others' are ignored. */
  accepts: (facility: string) => boolean;
  log: Logger;
  metrics: AlertsMetrics;
}

const byTs = (a: { ts: number }, b: { ts: number }) => a.ts - b.ts;

/**
 * The rules' inputs of one message: a batch of samples becomes one input per sample in device-time order (a stable
 * sort keeps a repeated instant's later word last), so every rule judges every sample whatever the message
 * boundaries (docs/rules.md "Time").
 */
export function toRuleInputs(message: ParsedMessage): RuleInput[] {
  switch (message.kind) {
    case 'reading': {
      const { seq, samples } = message;
      if (samples.length === 1) return [{ type: 'reading', seq, sample: samples[0]! }];
      return [...samples].sort(byTs).map((sample) => ({ type: 'reading', seq, sample }));
    }
    case 'event':
      return [{ type: 'event', event: message.event }];
    case 'status': {
      const { status } = message;
      // The Last Will is exactly {"online":false}: no seq, no ts (docs/PROTOCOL.md "status").
      const will = !status.online && status.seq === undefined && status.ts === undefined;
      return [{ type: 'status', status, will }];
    }
  }
}

/**
 * The alerts engine proper: message → rules → intents → lifecycle transitions → numbered events, entirely in
 * memory; the event log makes the events durable and publishes them. Also drives ticks, escalation and commands.
 */
export class AlertEngine<Settings> {
  constructor(private readonly parts: EngineParts<Settings>) {}

  /**
   * Evaluates one device message. With `suppress` (replay at start, retained messages) the rules update their
   * state but nothing is raised or cleared. Resolves once the resulting events were handed to the broker.
   */
  async handleMessage(topic: string, payload: Buffer | string, suppress = false): Promise<void> {
    const { registry, metrics } = this.parts;
    if (isChannelStatusTopic(topic)) return this.channelStatus(payload, suppress);
    const parsed = parseDeviceTopic(topic);
    if (!parsed || parsed.kind === 'command' || !this.parts.accepts(parsed.facility)) {
      return void metrics.messages.inc({ kind: 'other', result: 'ignored' });
    }
    const known = registry.get(parsed.device);
    // An unknown device (registered a moment ago?) waits for a registry reload off the hot path: the broker
    // hands us messages one at a time, and everyone else's must not wait for it.
    if (!known) return void this.afterReload(parsed, payload, suppress);
    return this.evaluate(parsed, known, payload, suppress);
  }

  /** A notification channel reported down or up by the dispatch service (docs/homecare.md "Notifications"). */
  private async channelStatus(payload: Buffer | string, suppress: boolean): Promise<void> {
    const status = channelStatusIntent(payload);
    const mine = status !== null && this.parts.accepts(status.facility);
    this.parts.metrics.messages.inc({
      kind: 'channel_status',
      result: !status ? 'invalid' : !mine ? 'ignored' : suppress ? 'replayed' : 'ok',
    });
    if (!mine || suppress) return;
    await Promise.all(this.applyIntents([status], this.parts.clock.now()).map((appended) => appended.published));
  }

  private async afterReload(parsed: DeviceTopic, payload: Buffer | string, suppress: boolean): Promise<void> {
    const context = await this.parts.registry.resolve(parsed.device);
    if (!context) return void this.parts.metrics.messages.inc({ kind: parsed.kind, result: 'unknown_device' });
    await this.evaluate(parsed, context, payload, suppress).catch((err) =>
      this.parts.log.error({ err, device: parsed.device }, 'message handling failed'),
    );
  }

  private async evaluate(
    parsed: DeviceTopic,
    context: DeviceContext,
    payload: Buffer | string,
    suppress: boolean,
  ): Promise<void> {
    const { clock, metrics } = this.parts;
    if (context.device.facility !== parsed.facility) {
      return void metrics.messages.inc({ kind: parsed.kind, result: 'unknown_device' });
    }
    const now = clock.now();
    const result = parseDeviceMessage(parsed.kind, context.device.kind, payload, now);
    // Invalid messages are ingest's to dead-letter; here they are only counted.
    if (!result.ok) return void metrics.messages.inc({ kind: parsed.kind, result: 'invalid' });
    metrics.messages.inc({ kind: parsed.kind, result: suppress ? 'replayed' : 'ok' });
    const intents = this.parts.runner.evaluateAll(toRuleInputs(result.message), context, now);
    if (suppress) return;
    const { message } = result;
    const present = message.kind === 'event' && message.event.type === 'presence' ? this.presence(context, now) : [];
    if (!intents.length && !present.length) return;
    await Promise.all([...this.applyIntents(intents, now), ...present].map((appended) => appended.published));
  }

  /** A call button's `presence`: a caregiver is in the room (docs/alerts.md "Presence at the resident"). */
  private presence(context: DeviceContext, now: number): Appended[] {
    const { book, registry } = this.parts;
    const concerns = presenceConcerns(context, registry);
    const transitions = book.presenceAt(context.device.facility, concerns, deviceActor(context.device.id), now);
    return transitions.map((transition) => this.append(transition));
  }

  /** Feeds stored messages back through the rules with raising suppressed (restart). */
  replay(items: ReplayItem[]): number {
    const { registry, runner, clock } = this.parts;
    let fed = 0;
    for (const item of items) {
      const context = registry.get(item.device);
      if (!context) continue;
      runner.evaluateAll([item.input], context, clock.now());
      fed += 1;
    }
    return fed;
  }

  /** The wall-clock work: silence-based rules, alerts the cap held back, escalation. */
  tick(): Appended[] {
    const { runner, book, clock, escalation, cap } = this.parts;
    const now = clock.now();
    const appended = this.applyIntents(runner.tick(now), now);
    for (const { facility, intent } of cap.release(now)) {
      const transition = book.raise(facility, intent, now);
      if (transition) appended.push(this.append(transition));
    }
    for (const facility of cap.facilitiesHolding()) this.reportCap(facility, now, appended);
    for (const transition of book.escalate(now, escalation)) appended.push(this.append(transition));
    return appended;
  }

  /** Alerts no display showed in time (docs/alerts.md "Receipts"): escalated once, to the safety officer. */
  escalateUnseen(ids: readonly string[]): Appended[] {
    const { book, clock } = this.parts;
    return book.escalateUnseen(ids, clock.now()).map((transition) => this.append(transition));
  }

  applyCommand(command: AlertCommand): CommandResult {
    const { book, clock } = this.parts;
    const now = clock.now();
    let transition: Transition;
    if (command.command === 'drill') {
      transition = book.drill(command.facility, command.args, String(command.id), command.actor, now);
    } else {
      const outcome =
        command.command === 'resolve'
          ? book.resolve(command.alertId, command.facility, command.actor, command.args, now)
          : book[command.command](command.alertId, command.facility, command.actor, now);
      if (!outcome.ok) return outcome;
      transition = outcome.transition;
    }
    return { ok: true, stored: this.append(transition, command.id).stored };
  }

  private applyIntents(intents: FacilityIntent[], now: number): Appended[] {
    const { book, cap } = this.parts;
    const appended: Appended[] = [];
    let capped: string | null = null;
    for (const { facility, intent } of intents) {
      // A held alert takes its later intents; a new one beyond the facility's cap is held (docs/alerts.md "Flood control").
      if (cap.revise(facility, intent)) continue;
      if (intent.action === 'raise' && !book.has(facility, intent.rule, intent.subject)) {
        if (!cap.admit(facility, intent, now)) {
          this.parts.metrics.heldBack.inc({ rule: intent.rule });
          capped = facility;
          continue;
        }
      }
      const transition =
        intent.action === 'raise'
          ? book.raise(facility, intent, now)
          : intent.action === 'update'
            ? book.update(facility, intent, now)
            : book.clear(facility, intent, now);
      if (transition) appended.push(this.append(transition));
    }
    if (capped) this.reportCap(capped, now, appended);
    return appended;
  }

  /** The facility's alert about its cap: raised (never itself capped) with the count held back, cleared after. */
  private reportCap(facility: string, now: number, appended: Appended[]): void {
    const report = this.parts.cap.report(facility, now);
    if (!report) return;
    const { perMinute } = this.parts.cap;
    const detail =
      report.action === 'raise'
        ? `${report.held} new alert${report.held === 1 ? '' : 's'} held back: more than ${perMinute} a minute; ` +
          'they follow as the rate allows'
        : 'no alerts held back any more';
    const intent: AlertIntent = {
      action: report.action,
      rule: 'flood_control',
      subject: subjects.facility,
      priority: 'high',
      detail,
      resident: null,
      device: null,
      location: null,
      occurredAt: now,
    };
    const { book } = this.parts;
    const transition =
      report.action === 'raise' ? book.raise(facility, intent, now) : book.clear(facility, intent, now);
    if (transition) appended.push(this.append(transition));
  }

  private append(transition: Transition, commandId?: number): Appended {
    const appended = this.parts.eventLog.append(transition, commandId);
    this.parts.metrics.openAlerts.set(this.parts.book.size);
    return appended;
  }
}
