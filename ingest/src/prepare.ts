import { parseDeviceMessage, parseDeviceTopic, type DeviceTopic, type ParsedMessage } from '@vigil/protocol';
import type { DeviceInfo } from './devices.js';
import type { DeadLetterRow } from '@vigil/store';

/** A message that cannot be stored as a reading, event or status (the store's dead-letter row). */
export type DeadLetter = DeadLetterRow;

/** A message ready to be written: rows for its device, or a dead letter. */
export type Prepared =
  | { ok: true; device: DeviceInfo; message: ParsedMessage; receivedAt: number; retained: boolean }
  | { ok: false; dead: DeadLetter };

/** The device id named by a device topic, or null when the topic is not one. */
export function topicDeviceId(topic: string): string | null {
  return parseDeviceTopic(topic)?.device ?? null;
}

/**
 * Validates one message against the contract and the registry. `device` is the registry entry of the
 * topic's device (null when unknown). `receivedAt` is the reference for the `ts` window, so a message
 * that waited in the buffer during a database outage is judged as of its arrival. `retained` marks a
 * broker's replay of a retained status on (re)subscription rather than a live message. `parsed` is the
 * topic parsed already, when the caller has it.
 */
export function prepareMessage(
  topic: string,
  payload: Buffer,
  receivedAt: number,
  device: DeviceInfo | null,
  retained = false,
  parsed: DeviceTopic | null = parseDeviceTopic(topic),
): Prepared {
  const refused = registryRefusal(parsed, device);
  if (refused !== null || !parsed || !device) {
    return deadLetter(topic, parsed, receivedAt, payload, refused ?? 'unknown device');
  }
  const result = parseDeviceMessage(parsed.kind, device.kind, payload, receivedAt);
  if (!result.ok) return deadLetter(topic, parsed, receivedAt, payload, result.reason);
  return { ok: true, device, message: result.message, receivedAt, retained };
}

/** Why the topic or its device rules a message out before its payload is even read; null when neither does. */
function registryRefusal(parsed: DeviceTopic | null, device: DeviceInfo | null): string | null {
  if (!parsed) return 'not a device topic (vigil/v1/{facility}/{device}/reading|event|status)';
  if (!device) return `unknown device ${parsed.device}`;
  if (device.retired) return `device ${device.id} is retired`;
  if (device.facility !== parsed.facility) {
    return `device ${device.id} is registered to facility ${device.facility}, not ${parsed.facility}`;
  }
  return null;
}

function deadLetter(
  topic: string,
  parsed: DeviceTopic | null,
  receivedAt: number,
  payload: Buffer,
  reason: string,
): Prepared {
  return {
    ok: false,
    dead: { receivedAt, topic, facility: parsed?.facility ?? null, device: parsed?.device ?? null, reason, payload },
  };
}
