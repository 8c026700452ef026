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
  private readonly states: unknown[];
  // Settings are merged once per registry load: contexts are new objects after each reload.
  private readonly settings = new WeakMap<DeviceContext, Settings>();

  constructor(
    private readonly ruleSet: RuleSet<Settings>,
    private readonly facilityOfDevice: (deviceId: string) => string | undefined,
    private readonly log: Logger,
    private readonly metrics: AlertsMetrics,
  ) {
    this.states = ruleSet.rules.map((rule) => rule.initialState());
  }

  evaluate(input: RuleInput, context: DeviceContext, now: number): FacilityIntent[] {
    const ctx = { ...context, settings: this.settingsFor(context), now };
    const out: FacilityIntent[] = [];
    this.ruleSet.rules.forEach((rule, i) => {
      try {
        for (const intent of rule.evaluate(input, ctx, this.states[i])) {
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
    this.ruleSet.rules.forEach((rule, i) => {
      if (!rule.prime) return;
      try {
        rule.prime(ctx, context.lastSeenAt, this.states[i]);
      } catch (err) {
        this.failed(rule.name, err);
      }
    });
  }

  tick(now: number): FacilityIntent[] {
    const out: FacilityIntent[] = [];
    this.ruleSet.rules.forEach((rule, i) => {
      if (!rule.tick) return;
      try {
        for (const intent of rule.tick(now, this.states[i])) {
          // Tick intents carry no context: the device (ids are global) says which facility it is in.
          const facility = intent.device ? this.facilityOfDevice(intent.device) : undefined;
          if (facility) out.push({ facility, intent });
          else this.log.warn({ rule: rule.name, subject: intent.subject }, 'tick intent without a known device');
        }
      } catch (err) {
        this.failed(rule.name, err);
      }
    });
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
