import { ID_PATTERN } from './ids.js';

export const TOPIC_ROOT = 'vigil/v1';
export const TOPIC_KINDS = ['reading', 'event', 'status', 'command'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];
/** The topic kinds a device publishes on (PROTOCOL.md "Topics"). */
export const DEVICE_PUBLISH_KINDS: readonly TopicKind[] = ['reading', 'event', 'status'];

export interface DeviceTopic {
  facility: string;
  device: string;
  kind: TopicKind;
}

/** `vigil/v1/{facility}/{device}/{kind}` */
export function deviceTopic(facility: string, device: string, kind: TopicKind): string {
  return `${TOPIC_ROOT}/${facility}/${device}/${kind}`;
}

/** Parses a device topic; `null` for anything that is not exactly one. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const [, , facility, device, kind] = parts as [string, string, string, string, string];
  if (!ID_PATTERN.test(facility) || !ID_PATTERN.test(device)) return null;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) return null;
  return { facility, device, kind: kind as TopicKind };
}

/** Subscription filters the back-end services use: every device's messages of one kind, all facilities. */
export function deviceTopicFilter(kind: TopicKind, facility = '+'): string {
  return `${TOPIC_ROOT}/${facility}/+/${kind}`;
}

/**
 * Internal topics between Vigil services (never writable by devices; see docs/ARCHITECTURE.md).
 * `alertEvents` carries every alert lifecycle event from the alerts service to the api.
 */
export const INTERNAL_ROOT = 'vigil/internal/v1';
export const INTERNAL_TOPICS = {
  alertEvents: `${INTERNAL_ROOT}/alert-events`,
  /** The state of a notification endpoint, `/channel-status/{facility}/{endpoint}` (docs/homecare.md). */
  channelStatus: `${INTERNAL_ROOT}/channel-status`,
} as const;
