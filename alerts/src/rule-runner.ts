import type { Logger } from '@vigil/core';
import type { AlertsMetrics } from './metrics.js';
import type { DeviceContext } from './registry-cache.js';
import type { AlertIntent, Rule, RuleInput } from './rules/types.js';

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
  // facility's state can move to another worker as a whole (DESIGN.md "Beyond one machine").
  private readonly states = new Map<string, unknown[]>();
  // Settings are merged once per registry load: contexts are new objects after each reload.
  private readonly settings = new WeakMap<DeviceContext, Settings>();

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

  evaluate(input: RuleInput, context: DeviceContext, now: number): FacilityIntent[] {
    const ctx = { ...context, settings: this.settingsFor(context), now };
    const states = this.statesOf(context.device.facility);
    const out: FacilityIntent[] = [];
    this.ruleSet.rules.forEach((rule, i) => {
      try {
        for (const intent of rule.evaluate(input, ctx, states[i])) {
          out.push({ facility: context.device.facility, intent });
        }
      } catch (err) {
        this.failed(rule.name, err);
      }
    });
    return out;
  }

  /** Tells silence-based rules about a device they have not heard from yet (start, or newly registered). */
  prime(context: DeviceContext, now: number): void {
    const ctx = { ...context, settings: this.settingsFor(context), now };
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

  private settingsFor(context: DeviceContext): Settings {
    let settings = this.settings.get(context);
    if (settings === undefined) {
      try {
        settings = this.ruleSet.resolveSettings(context.facilitySettings, context.residentThresholds);
      } catch (err) {
        // Broken overrides must not silence a resident's alerts: fall back to the defaults.
        this.log.error({ err, device: context.device.id }, 'rule settings unusable; using defaults');
        settings = this.ruleSet.resolveSettings({}, {});
      }
      this.settings.set(context, settings);
    }
    return settings;
  }

  private failed(rule: string, err: unknown): void {
    this.metrics.ruleErrors.inc({ rule });
    this.log.error({ err, rule }, 'rule failed');
  }
}
