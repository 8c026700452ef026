import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingtalkUrl, signWebhook } from './webhooks.js';

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA-256, hex, prefixed sha256=', () => {
    const expected = createHmac('sha256', 'k').update('1700000000000.{"a":1}').digest('hex');
    expect(signWebhook('k', '1700000000000', '{"a":1}')).toBe(`sha256=${expected}`);
    expect(signWebhook('k', '1700000000001', '{"a":1}')).not.toBe(`sha256=${expected}`);
  });

  it('DingTalk: keeps the access token, adds timestamp and the URL-encoded base64 sign of "<timestamp>\\n<secret>"', () => {
    const url = new URL(dingtalkUrl('https://oapi.dingtalk.com/robot/send?access_token=t0', 'SEC1', 1700000000000));
    expect(url.searchParams.get('access_token')).toBe('t0');
    expect(url.searchParams.get('timestamp')).toBe('1700000000000');
    const sign = createHmac('sha256', 'SEC1').update('1700000000000\nSEC1').digest('base64');
    expect(url.searchParams.get('sign')).toBe(sign);
    expect(url.search).toContain(`sign=${encodeURIComponent(sign)}`);
  });
});
