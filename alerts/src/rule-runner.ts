import type { Logger } from '@vigil/core';
import type { AlertsMetrics } from './metrics.js';
import type { DeviceContext } from './registry-cache.js';
import type { AlertIntent, Rule, RuleContext, RuleInput } from './rules/types.js';

/** The rules and how to merge their settings: `RULES` and `resolveSettings` from ./rules, injected for tests. */
export interface RuleSet<Settings> {
  rules: readonly Rule<unknown, Settings>[];
  resolveSettings(facilitySettings: unknown, residentThresholds: unknown): Settings;
}

/** An intent with the facility it belongs to (the dedup key is facility, rule, subject). */
export interface FacilityIntent {
  facility: string;
  intent: AlertIntent;
}

/**
 * Feeds every message to every rule with that rule's own state, and calls the silence-based ticks. A rule that
 * throws is logged and counted; the others still see the message.
 */
export class RuleRunner<Settings> {
  // One state per rule and facility: ids of places and residents are only unique within a facility, and a
  // facility's state can move to another worker as a whole (docs/ARCHITECTURE.md "Tiers: edge, station, hub").
  private readonly states = new Map<string, unknown[]>();
  private readonly contexts = new WeakMap<DeviceContext, RuleContext<Settings>>();

  constructor(
    private readonly ruleSet: RuleSet<Settings>,
    private readonly log: Logger,
    private readonly metrics: AlertsMetrics,
  ) {}

  private statesOf(facility: string): unknown[] {
    let states = this.states.get(facility);
    if (!states) this.states.set(facility, (states = this.ruleSet.rules.map((rule) => rule.initialState())));
    return states;
  }

  /** Feeds the inputs of one message (one per sample, in device-time order) to every rule, input by input. */
  evaluateAll(inputs: readonly RuleInput[], context: DeviceContext, now: number): FacilityIntent[] {
    const ctx = this.contextFor(context, now);
    const { facility } = context.device;
    const states = this.statesOf(facility);
    const { rules } = this.ruleSet;
    const out: FacilityIntent[] = [];
    // Plain loops: this runs for every rule and every sample (readings by the thousand per second).
    for (const input of inputs) {
      for (let i = 0; i < rules.length; i += 1) {
        try {
          for (const intent of rules[i]!.evaluate(input, ctx, states[i])) out.push({ facility, intent });
        } catch (err) {
          this.failed(rules[i]!.name, err);
        }
      }
    }
    return out;
  }

  /** Tells silence-based rules about a device they have not heard from yet (start, or newly registered). */
  prime(context: DeviceContext, now: number): void {
    const ctx = this.contextFor(context, now);
    const states = this.statesOf(context.device.facility);
    this.ruleSet.rules.forEach((rule, i) => {
      if (!rule.prime) return;
      try {
        rule.prime(ctx, context.lastSeenAt, states[i]);
      } catch (err) {
        this.failed(rule.name, err);
      }
    });
  }

  tick(now: number): FacilityIntent[] {
    const out: FacilityIntent[] = [];
    for (const [facility, states] of this.states) {
      this.ruleSet.rules.forEach((rule, i) => {
        if (!rule.tick) return;
        try {
          for (const intent of rule.tick(now, states[i])) out.push({ facility, intent });
        } catch (err) {
          this.failed(rule.name, err);
        }
      });
    }
    return out;
  }

  /**
   * The rules' view of a device, built once per registry load (contexts are new objects after each reload) with
   * merged settings; only `now` changes per message. Rules never keep the context beyond a call.
   */
  private contextFor(context: DeviceContext, now: number): RuleContext<Settings> {
    let ctx = this.contexts.get(context);
    if (!ctx) this.contexts.set(context, (ctx = { ...context, settings: this.settingsFor(context), now }));
    ctx.now = now;
    return ctx;
  }

  private settingsFor(context: DeviceContext): Settings {
    try {
      return this.ruleSet.resolveSettings(context.facilitySettings, context.residentThresholds);
    } catch (err) {
      // Broken overrides must not silence a resident's alerts: fall back to the defaults.
      this.log.error({ err, device: context.device.id }, 'rule settings unusable; using defaults');
      return this.ruleSet.resolveSettings({}, {});
    }
  }

  private failed(rule: string, err: unknown): void {
    this.metrics.ruleErrors.inc({ rule });
    this.log.error({ err, rule }, 'rule failed');
  }
}
