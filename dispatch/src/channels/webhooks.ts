import { createHmac } from 'node:crypto';
import type { NotifyChannel } from '@vigil/protocol';
import { ChannelFailed, ChannelNotConfigured } from '../errors.js';
import { postOnce } from './http.js';
import type { Outgoing, Send } from './types.js';

/** Headers of a Vigil webhook: the time it was signed (ms) and `sha256=<hex HMAC of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'x-vigil-signature';
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';

/** The signature of a webhook body: HMAC-SHA-256 over `<timestamp>.<body>`, so a replayed old body fails. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * DingTalk's signed robot URL: `timestamp` (ms) and `sign` = base64 HMAC-SHA-256 of `"<timestamp>\n<secret>"` keyed
 * with the secret, URL-encoded.
 */
export function dingtalkUrl(url: string, secret: string, timestamp: number): string {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestamp));
  u.searchParams.set('sign', sign);
  return u.toString();
}

const robotText = ({ message }: Outgoing) => ({
  msgtype: 'text',
  text: { content: `${message.title}\n${message.body}` },
});

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Posts a robot's message: besides the HTTP status, its `errcode` (0: accepted) tells whether it was taken. */
async function postRobot(url: string, out: Outgoing): Promise<void> {
  const errcode = parseErrcode(await postOnce(url, JSON_HEADERS, JSON.stringify(robotText(out))));
  if (errcode) throw ChannelFailed(`robot errcode ${errcode}`);
}

function parseErrcode(text: string): number {
  try {
    const parsed = JSON.parse(text) as { errcode?: unknown };
    return typeof parsed.errcode === 'number' ? parsed.errcode : 0;
  } catch {
    return 0;
  }
}

function urlTarget(out: Outgoing): { url: string; secret?: string } {
  if (!('url' in out.endpoint.target)) throw ChannelNotConfigured(`endpoint ${out.endpoint.id} has no URL`);
  return out.endpoint.target;
}

/**
 * The HTTP channels: a signed Vigil webhook (the work order as JSON), a WeCom group robot (企业微信群机器人, the
 * secret is in its URL's key) and a DingTalk group robot (钉钉群机器人, signed URL when it has a secret).
 */
export function webhookChannels(
  now: () => number,
): Record<Extract<NotifyChannel, 'webhook' | 'wecom' | 'dingtalk'>, Send> {
  return {
    async webhook(out) {
      const { url, secret } = urlTarget(out);
      const { order, reason, message } = out;
      const body = JSON.stringify({
        type: 'work_order',
        reason,
        title: message.title,
        text: message.body,
        workOrder: {
          id: order.id,
          facility: order.facility,
          location: order.location,
          alertId: order.alertId,
          rule: order.rule,
          priority: order.priority,
          status: order.status,
          createdAt: order.createdAt.toISOString(),
          onSiteDueAt: order.onSiteDueAt.toISOString(),
        },
      });
      const timestamp = String(now());
      const headers: Record<string, string> = { [TIMESTAMP_HEADER]: timestamp };
      if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, timestamp, body);
      await postOnce(url, { ...JSON_HEADERS, ...headers }, body);
    },
    async wecom(out) {
      await postRobot(urlTarget(out).url, out);
    },
    async dingtalk(out) {
      const { url, secret } = urlTarget(out);
      await postRobot(secret ? dingtalkUrl(url, secret, now()) : url, out);
    },
  };
}
