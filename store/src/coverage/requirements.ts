import type { DeviceKind } from '@vigil/protocol';
import type { DeviceCoverage } from '../history/data-gaps.js';
import type { AuditRegistry } from './facts.js';
import type { CoveragePolicy } from './policy.js';

/** One device a place or a resident must have under the policy, and the devices that fill it. */
export interface Slot {
  subjectType: 'place' | 'resident';
  /** Place id or resident id (the audit swaps in the pseudonym for regulators). */
  subject: string;
  device: DeviceKind;
  /** Devices of that kind at that place or with that resident over the period, retired ones included. */
  devices: string[];
}

/** Every slot the policy requires of the facility's places and active residents, in a stable order. */
export function requiredSlots(policy: CoveragePolicy, registry: AuditRegistry): Slot[] {
  const slots: Slot[] = [];
  const kindsOf = (rules: Array<{ devices: DeviceKind[] }>) => [...new Set(rules.flatMap((r) => r.devices))].sort();
  for (const place of registry.places) {
    for (const device of kindsOf(policy.places.filter((r) => r.kind === place.kind))) {
      const devices = registry.devices.filter((d) => d.place === place.id && d.kind === device).map((d) => d.id);
      slots.push({ subjectType: 'place', subject: place.id, device, devices });
    }
  }
  for (const resident of registry.residents) {
    const rules = policy.residents.filter(
      (r) => r.careLevels.includes(resident.careLevel) || r.risks.some((risk) => resident.risks.includes(risk)),
    );
    for (const device of kindsOf(rules)) {
      const devices = registry.devices.filter((d) => d.resident === resident.id && d.kind === device).map((d) => d.id);
      slots.push({ subjectType: 'resident', subject: resident.id, device, devices });
    }
  }
  return slots;
}

type Interval = [from: number, to: number];

/** When a device was registered, not retired and not silent: its period minus its silent gaps. */
export function coveringIntervals(coverage: DeviceCoverage): Interval[] {
  const intervals: Interval[] = [];
  let start = +coverage.from;
  for (const gap of coverage.gaps) {
    if (+gap.from > start) intervals.push([start, +gap.from]);
    start = Math.max(start, +gap.to);
  }
  if (+coverage.to > start) intervals.push([start, +coverage.to]);
  return intervals;
}

/** The union of intervals, sorted and merged. */
export function union(intervals: Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const [from, to] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** The share of [from, to) that the merged intervals cover. */
export function coveredShare(merged: Interval[], from: number, to: number): number {
  if (to <= from) return 0;
  const covered = merged.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0);
  return covered / (to - from);
}
