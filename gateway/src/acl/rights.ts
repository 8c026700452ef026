import type { ServiceRole } from '@vigil/store';
import {
  DEVICE_PUBLISH_KINDS,
  INTERNAL_ROOT,
  INTERNAL_TOPICS,
  deviceTopic,
  deviceTopicFilter,
  parseDeviceTopic,
  type DeviceKind,
} from '@vigil/protocol';
import { compileFilter, filterWithin, unshare } from './topic-filter.js';

/** Who an authenticated MQTT client is. Kept beside the aedes client in a WeakMap, never on it. */
export type Principal =
  | { type: 'device'; id: string; facility: string; kind: DeviceKind }
  | { type: 'service'; id: string; role: ServiceRole };

interface Rights {
  publish: readonly string[];
  subscribe: readonly string[];
}

const DEVICE_UPLINK = DEVICE_PUBLISH_KINDS.map((kind) => deviceTopicFilter(kind));
const INTERNAL_ALL = `${INTERNAL_ROOT}/#`;
const COMMANDS = deviceTopicFilter('command');

/**
 * What each service role may do (docs/gateway.md "Access control"). ingest and alerts read every device's
 * uplink; only alerts writes internal topics (alert events); the api reads them and sends device commands;
 * the simulator speaks for many simulated devices at once; dispatch reads alert events and reports its notification
 * channels.
 */
export const SERVICE_RIGHTS: Record<ServiceRole, Rights> = {
  ingest: { publish: [], subscribe: DEVICE_UPLINK },
  alerts: { publish: [INTERNAL_ALL], subscribe: [...DEVICE_UPLINK, `${INTERNAL_TOPICS.channelStatus}/#`] },
  api: { publish: [COMMANDS], subscribe: [INTERNAL_ALL] },
  bridge: { publish: [COMMANDS], subscribe: DEVICE_UPLINK },
  simulator: { publish: DEVICE_UPLINK, subscribe: [COMMANDS] },
  dispatch: { publish: [`${INTERNAL_TOPICS.channelStatus}/#`], subscribe: [INTERNAL_TOPICS.alertEvents] },
};

/** SERVICE_RIGHTS compiled for the per-message checks. */
const SERVICE_MATCHERS = Object.fromEntries(
  Object.entries(SERVICE_RIGHTS).map(([role, rights]) => [
    role,
    { publish: rights.publish.map(compileFilter), subscribe: rights.subscribe.map(compileFilter) },
  ]),
) as Record<ServiceRole, Record<keyof Rights, RegExp[]>>;

/**
 * Each device's own uplink topics, built once per principal (per login): the check of every message is one
 * lookup. A topic the full check below would refuse (an id that is not a valid topic level) is left out.
 */
const DEVICE_GRANTS = new WeakMap<Principal, ReadonlySet<string>>();
function deviceGrants(principal: Principal & { type: 'device' }): ReadonlySet<string> {
  let grants = DEVICE_GRANTS.get(principal);
  if (!grants) {
    const topics = DEVICE_PUBLISH_KINDS.map((kind) => deviceTopic(principal.facility, principal.id, kind));
    grants = new Set(topics.filter((topic) => parseDeviceTopic(topic) !== null));
    DEVICE_GRANTS.set(principal, grants);
  }
  return grants;
}

/** Why a publish is refused, or null when allowed. Devices: only their own uplink topics, own facility. */
export function publishRefusal(principal: Principal, topic: string): string | null {
  if (principal.type === 'device' && deviceGrants(principal).has(topic)) return null;
  if (topic.startsWith('$')) return 'reserved topic';
  if (principal.type === 'service') {
    return SERVICE_MATCHERS[principal.role].publish.some((filter) => filter.test(topic))
      ? null
      : 'topic not granted to role';
  }
  const parsed = parseDeviceTopic(topic);
  if (!parsed) return 'not a device topic';
  if (parsed.facility !== principal.facility) return 'other facility';
  if (parsed.device !== principal.id) return 'other device';
  if (!DEVICE_PUBLISH_KINDS.includes(parsed.kind)) return `kind ${parsed.kind} is not publishable by devices`;
  return null;
}

/** Why a subscription is refused, or null. Devices: only their own command topic (no wildcards). */
export function subscribeRefusal(principal: Principal, filter: string): string | null {
  if (principal.type === 'device') {
    return filter === deviceTopic(principal.facility, principal.id, 'command') ? null : 'only own command topic';
  }
  const inner = unshare(filter);
  if (inner === null) return 'malformed shared subscription';
  if (inner.startsWith('$')) return 'reserved topic';
  return SERVICE_RIGHTS[principal.role].subscribe.some((f) => filterWithin(inner, f))
    ? null
    : 'filter not granted to role';
}

/**
 * Second check at delivery time: may this client receive a message on `topic` at all? Catches retained
 * messages and anything that slipped past the subscribe check.
 */
export function mayReceive(principal: Principal, topic: string): boolean {
  if (topic.startsWith('$')) return false;
  if (principal.type === 'device') return topic === deviceTopic(principal.facility, principal.id, 'command');
  return SERVICE_MATCHERS[principal.role].subscribe.some((filter) => filter.test(topic));
}
