import { describe, expect, it } from 'vitest';
import { mayReceive, publishRefusal, subscribeRefusal, type Principal } from './rights.js';
import { compileFilter, filterWithin, unshare } from './topic-filter.js';

const device: Principal = { type: 'device', id: 'wb-1', facility: 'sunrise', kind: 'wristband' };
const ingest: Principal = { type: 'service', id: 'ingest', role: 'ingest' };
const alerts: Principal = { type: 'service', id: 'alerts', role: 'alerts' };

describe('topic filter algebra', () => {
  it('matches topics against filters, never $ topics through a leading wildcard', () => {
    const matches = (filter: string, topic: string) => compileFilter(filter).test(topic);
    expect(matches('vigil/v1/+/+/reading', 'vigil/v1/a/b/reading')).toBe(true);
    expect(matches('vigil/v1/+/+/reading', 'vigil/v1/a/b/event')).toBe(false);
    expect(matches('vigil/v1/+/+/reading', 'vigil/v1/a/b/reading/x')).toBe(false);
    expect(matches('vigil/v1/+/+/reading', 'vigil/v1/a//reading')).toBe(true); // + matches an empty level
    expect(matches('vigil/#', 'vigil/v1/a')).toBe(true);
    expect(matches('vigil/#', 'vigil')).toBe(true); // # includes the parent level
    expect(matches('vigil/#', 'vigilant/x')).toBe(false);
    expect(matches('#', 'anything/at/all')).toBe(true);
    expect(matches('#', '$SYS/x')).toBe(false);
    expect(matches('+/x', '$SYS/x')).toBe(false);
    expect(matches('$SYS/x', '$SYS/x')).toBe(true);
    // Regular-expression characters in a level are literal.
    expect(matches('a.b/(c)', 'a.b/(c)')).toBe(true);
    expect(matches('a.b/(c)', 'axb/c')).toBe(false);
  });

  it('decides whether one filter lies inside another', () => {
    expect(filterWithin('vigil/v1/sunrise/+/reading', 'vigil/v1/+/+/reading')).toBe(true);
    expect(filterWithin('vigil/v1/+/+/+', 'vigil/v1/+/+/reading')).toBe(false);
    expect(filterWithin('vigil/v1/#', 'vigil/v1/+/+/reading')).toBe(false);
    expect(filterWithin('vigil/internal/v1/alert-events', 'vigil/internal/v1/#')).toBe(true);
    expect(filterWithin('vigil/v1/+/+/reading/extra', 'vigil/v1/+/+/reading')).toBe(false);
  });

  it('strips shared-subscription prefixes and rejects malformed ones', () => {
    expect(unshare('$share/g/vigil/v1/+/+/event')).toBe('vigil/v1/+/+/event');
    expect(unshare('$share/g')).toBeNull();
    expect(unshare('$share//x')).toBeNull();
  });
});

describe('rights', () => {
  it('lets a device publish only its own uplink topics', () => {
    expect(publishRefusal(device, 'vigil/v1/sunrise/wb-1/reading')).toBeNull();
    expect(publishRefusal(device, 'vigil/v1/sunrise/wb-1/status')).toBeNull();
    expect(publishRefusal(device, 'vigil/v1/sunrise/wb-2/reading')).toBe('other device');
    expect(publishRefusal(device, 'vigil/v1/harbor/wb-1/reading')).toBe('other facility');
    expect(publishRefusal(device, 'vigil/v1/sunrise/wb-1/command')).toMatch(/not publishable/);
    expect(publishRefusal(device, '$SYS/x')).toBe('reserved topic');
  });

  it('gives services their role and nothing more', () => {
    expect(publishRefusal(ingest, 'vigil/internal/v1/alert-events')).not.toBeNull();
    expect(publishRefusal(alerts, 'vigil/internal/v1/alert-events')).toBeNull();
    expect(subscribeRefusal(ingest, '$share/ingest/vigil/v1/+/+/reading')).toBeNull();
    expect(subscribeRefusal(ingest, '#')).not.toBeNull();
    expect(subscribeRefusal(ingest, '$share/x/$SYS/#')).toBe('reserved topic');
    expect(mayReceive(ingest, 'vigil/v1/a/b/status')).toBe(true);
    expect(mayReceive(ingest, 'vigil/v1/a/b/command')).toBe(false);
    expect(mayReceive(device, 'vigil/v1/sunrise/wb-1/command')).toBe(true);
    expect(mayReceive(device, 'vigil/v1/sunrise/wb-2/command')).toBe(false);
  });
});
