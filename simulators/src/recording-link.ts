import { systemClock, type Clock } from '@vigil/core';
import { LAST_WILL_PAYLOAD, deviceTopic } from '@vigil/protocol';
import type { DeviceLink, LinkFactory } from './link.js';
import type { OutgoingMessage } from './sim-device.js';

export interface RecordedMessage extends OutgoingMessage {
  device: string;
  /** Clock time it was published (to check `ts` against what a receiver would see as "now"). */
  at: number;
  /** True for a Last Will the "broker" published because the link was dropped. */
  will?: boolean;
}

/**
 * Links without a broker, for tests of device behaviour and scenarios: every publish is recorded, and a
 * `drop()` records the device's Last Will as a broker would. Devices connect at once (asynchronously).
 */
export function recordingLinks(clock: Clock = systemClock): { factory: LinkFactory; messages: RecordedMessage[] } {
  const messages: RecordedMessage[] = [];
  const factory: LinkFactory = (device, events) => {
    let connected = false;
    const open = () =>
      queueMicrotask(() => {
        connected = true;
        events.connected();
      });
    open();
    const link: DeviceLink = {
      get connected() {
        return connected;
      },
      async publish(message) {
        if (!connected) throw new Error('not connected');
        messages.push({ ...message, device: device.id, at: clock.now() });
      },
      drop() {
        connected = false;
        const topic = deviceTopic(device.facility, device.id, 'status');
        const will = { topic, kind: 'status', payload: LAST_WILL_PAYLOAD, retain: true, rows: 0 } as const;
        messages.push({ ...will, device: device.id, at: clock.now(), will: true });
        events.disconnected();
      },
      reconnect: open,
      async close() {
        connected = false;
        events.disconnected();
      },
    };
    return link;
  };
  return { factory, messages };
}
