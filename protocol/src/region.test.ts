import { describe, expect, it } from 'vitest';
import { parseRegionMessage, parseRegionTopic, regionSharedFilter, regionTopic } from './region.js';

const summary = {
  at: '2026-11-19T02:10:00.000Z',
  intervalS: 60,
  openAlerts: { critical: 1, high: 0, warning: 2, info: 0 },
  devicesOnline: 40,
  devicesOffline: 2,
  coverageScore: null,
};

describe('region topics and messages', () => {
  it('round-trips facility and kind, and builds the shared filter', () => {
    expect(regionTopic('sunrise', 'summary')).toBe('vigil/region/v1/sunrise/summary');
    expect(parseRegionTopic('vigil/region/v1/sunrise/alert-event')).toEqual({
      facility: 'sunrise',
      kind: 'alert-event',
    });
    expect(regionSharedFilter('hub')).toBe('$share/hub/vigil/region/v1/#');
  });

  it.each([
    'vigil/region/v1/sunrise',
    'vigil/region/v1/sunrise/summary/extra',
    'vigil/region/v2/sunrise/summary',
    'vigil/region/v1/sun rise/summary',
    'vigil/region/v1/sunrise/reading',
    'vigil/v1/sunrise/wb-1/reading',
  ])('refuses the topic %s', (topic) => expect(parseRegionTopic(topic)).toBeNull());

  it('parses a summary and drops fields the contract does not have (a name, a vital sign)', () => {
    const parsed = parseRegionMessage(
      'vigil/region/v1/sunrise/summary',
      JSON.stringify({ ...summary, name: 'Margarethe', hr: 71 }),
    );
    expect(parsed).toEqual({ facility: 'sunrise', kind: 'summary', body: summary });
  });

  it('refuses a payload that is not JSON or not the schema of its topic', () => {
    expect(parseRegionMessage('vigil/region/v1/sunrise/summary', '{')).toBeNull();
    expect(parseRegionMessage('vigil/region/v1/sunrise/device-status', JSON.stringify(summary))).toBeNull();
  });
});
