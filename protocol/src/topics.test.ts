import { describe, expect, it } from 'vitest';
import { deviceTopic, deviceTopicFilter, parseDeviceTopic } from './topics.js';

describe('device topics', () => {
  it('round-trips facility, device and kind', () => {
    const topic = deviceTopic('sunrise', 'wb-0001', 'event');
    expect(topic).toBe('vigil/v1/sunrise/wb-0001/event');
    expect(parseDeviceTopic(topic)).toEqual({ facility: 'sunrise', device: 'wb-0001', kind: 'event' });
  });

  it.each([
    'vigil/v1/sunrise/wb-0001',
    'vigil/v1/sunrise/wb-0001/event/extra',
    'vigil/v2/sunrise/wb-0001/event',
    'vigil/v1/sun rise/wb-0001/event',
    'vigil/v1/sunrise/wb-0001/telemetry',
    'vigil/v1/+/wb-0001/event',
    '$SYS/broker/uptime',
  ])('refuses %s', (topic) => expect(parseDeviceTopic(topic)).toBeNull());

  it('builds the service subscription filters', () => {
    expect(deviceTopicFilter('reading')).toBe('vigil/v1/+/+/reading');
    expect(deviceTopicFilter('status', 'sunrise')).toBe('vigil/v1/sunrise/+/status');
  });
});
