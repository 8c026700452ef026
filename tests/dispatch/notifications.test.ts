import { createECDH, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import mqtt from 'mqtt';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelStatusSchema, INTERNAL_TOPICS, type ChannelStatus } from '@vigil/protocol';
import { addEndpoint, listDeliveries, upsertServiceAccount, type Delivery } from '@vigil/store';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@vigil/dispatch';
import type { AlertsHandle } from '@vigil/alerts';
import { listenForEvents, startTestAlerts, type EventListener } from '../alerts/harness.js';
import { waitFor } from '../helpers/processes.js';
import { startHttpReceiver, startSmtpServer } from './receivers.js';
import { RESIDENT, STATION, dwellingAlertEvent, startStation, type Station } from './station.js';

const WEBHOOK_SECRET = 'whsec-test-1234';
const DINGTALK_SECRET = 'SEC-dingtalk-test';
const b64url = (buf: Buffer) => buf.toString('base64url');

describe('dispatch: notifications that reach people', () => {
  let station: Station;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let http: Awaited<ReturnType<typeof startHttpReceiver>>;
  let down: Awaited<ReturnType<typeof startHttpReceiver>>;
  let statuses: ChannelStatus[];
  let listener: mqtt.MqttClient;
  let eventId = 100;
  let alerts: AlertsHandle;
  let alertEvents: EventListener;
  const vapid = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    [smtp, http, down] = await Promise.all([startSmtpServer(), startHttpReceiver(), startHttpReceiver()]);
    station = await startStation({
      dispatch: {
        notify: {
          smtp: { url: smtp.url, from: 'station@example.com' },
          vapid: { ...vapid, subject: 'mailto:ops@example.com' },
          maxAttempts: 3,
          retryMs: 20,
        },
      },
    });
    const account = await upsertServiceAccount(station.db.pool, 'svc-status-listener', 'api');
    listener = await mqtt.connectAsync(station.gateway.url, {
      clientId: account.id,
      username: account.id,
      password: account.secret,
      protocolVersion: 4,
    });
    alerts = await startTestAlerts(station.db.pool, station.db.url, station.gateway.url);
    alertEvents = await listenForEvents(station.db.pool, station.gateway.url);
    statuses = [];
    listener.on('message', (_t, payload) => statuses.push(channelStatusSchema.parse(JSON.parse(payload.toString()))));
    await listener.subscribeAsync(`${INTERNAL_TOPICS.channelStatus}/#`, { qos: 1 });
  });
  afterAll(async () => {
    await listener?.endAsync();
    await alertEvents?.close();
    await alerts?.close();
    await station?.close();
    await Promise.all([smtp?.close(), http?.close(), down?.close()]);
  });

  /** Publishes a dwelling alert and waits until every delivery of its work order is settled. */
  async function raise(overrides: Parameters<typeof dwellingAlertEvent>[0]): Promise<Delivery[]> {
    const event = dwellingAlertEvent(overrides, ++eventId);
    await station.publishEvent(event);
    const order = await waitFor('the work order', async () => {
      const { rows } = await station.db.pool.query('SELECT id FROM work_orders WHERE alert_id = $1', [event.alert.id]);
      return rows[0]?.id as string | undefined;
    });
    return waitFor('every delivery settled', async () => {
      const deliveries = await listDeliveries(station.db.pool, order);
      return deliveries.length && deliveries.every((d) => d.status !== 'pending') ? deliveries : null;
    });
  }

  it('staff add endpoints through the api; a critical alert reaches email, signed webhooks, robots and Web Push', async () => {
    const add = (channel: string, target: object) =>
      station.call(station.tokens.zhang, '/notifications/endpoints', {
        method: 'POST',
        body: JSON.stringify({ channel, target }),
      });
    const email = await add('email', { email: 'zhangwei@example.com' });
    expect(email).toMatchObject({ status: 201, body: { channel: 'email' } });
    // A browser's subscription: its ECDH key and auth secret, the push service played by the local receiver.
    const browser = createECDH('prime256v1');
    const p256dh = b64url(browser.generateKeys());
    const push = await add('push', {
      subscription: { endpoint: `${http.url}/push/zhang`, keys: { p256dh, auth: b64url(randomBytes(16)) } },
    });
    expect(push.status).toBe(201);
    const pool = station.db.pool;
    await addEndpoint(pool, {
      facility: STATION,
      channel: 'webhook',
      target: { url: `${http.url}/hook`, secret: WEBHOOK_SECRET },
    });
    await addEndpoint(pool, { facility: STATION, channel: 'wecom', target: { url: `${http.url}/wecom?key=abc` } });
    await addEndpoint(pool, {
      facility: STATION,
      channel: 'dingtalk',
      target: { url: `${http.url}/dingtalk?access_token=xyz`, secret: DINGTALK_SECRET },
    });

    const deliveries = await raise({
      at: Date.now(),
      rule: 'sos',
      resident: RESIDENT,
      subject: `resident:${RESIDENT}`,
    });
    expect(deliveries.map((d) => [d.reason, d.status])).toEqual([
      ['offered', 'sent'], // webhook (station)
      ['offered', 'sent'], // wecom
      ['offered', 'sent'], // dingtalk
      ['offered', 'sent'], // 张伟's email
      ['offered', 'sent'], // 张伟's push
      ['family', 'sent'], // 王芳, who consented: critical alerts only
    ]);

    // Email: to 张伟 and to the daughter, Chinese first.
    const to = smtp.mails.flatMap((m) => m.to).sort();
    expect(to).toEqual(['wangfang@example.com', 'zhangwei@example.com']);
    const staffMail = smtp.mails.find((m) => m.to.includes('zhangwei@example.com'))!;
    expect(staffMail.from).toBe('station@example.com');
    expect(staffMail.raw).toMatch(/^Subject: =\?UTF-8\?/m); // the 【紧急】 title, encoded

    // The Vigil webhook: HMAC-SHA-256 of "<timestamp>.<body>" with the endpoint's secret.
    const hook = http.received.find((r) => r.path === '/hook')!;
    const timestamp = String(hook.headers[TIMESTAMP_HEADER]);
    const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${hook.body}`).digest('hex')}`;
    expect(hook.headers[SIGNATURE_HEADER]).toBe(expected);
    expect(JSON.parse(hook.body.toString())).toMatchObject({
      type: 'work_order',
      reason: 'offered',
      workOrder: { rule: 'sos' },
    });

    // WeCom and DingTalk group robots: their text message format; DingTalk's URL signed with its secret.
    const wecom = http.received.find((r) => r.path.startsWith('/wecom'))!;
    expect(JSON.parse(wecom.body.toString())).toMatchObject({
      msgtype: 'text',
      text: { content: expect.stringContaining('紧急呼叫') },
    });
    const ding = http.received.find((r) => r.path.startsWith('/dingtalk'))!;
    const query = new URL(ding.path, http.url).searchParams;
    const sign = createHmac('sha256', DINGTALK_SECRET)
      .update(`${query.get('timestamp')}\n${DINGTALK_SECRET}`)
      .digest('base64');
    expect(query.get('sign')).toBe(sign);
    expect(query.get('access_token')).toBe('xyz');

    // Web Push: an encrypted body and a VAPID JWT (ES256) that verifies with the public key.
    const pushed = http.received.find((r) => r.path === '/push/zhang')!;
    expect(pushed.headers['content-encoding']).toBe('aes128gcm');
    const auth = String(pushed.headers.authorization);
    const [, jwt, k] = /^vapid t=([^,]+), k=(.+)$/.exec(auth)!;
    expect(k).toBe(vapid.publicKey);
    const [header, claims, signature] = jwt!.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
    expect(payload).toMatchObject({ aud: http.url, sub: 'mailto:ops@example.com' });
    expect(payload.exp * 1000).toBeGreaterThan(Date.now());
    const point = Buffer.from(vapid.publicKey, 'base64url');
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) },
      format: 'jwk',
    });
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(valid).toBe(true);

    // Every delivery with its outcome, for the station's officer.
    const orderId = JSON.parse(hook.body.toString()).workOrder.id;
    const listed = await station.call(station.tokens.li, `/work-orders/${orderId}/deliveries`);
    expect(listed.body.deliveries.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual(
      Array(6).fill(['sent', 1]),
    );
  });

  it('preferences by channel and priority, and quiet hours, hold back non-critical alerts; critical ones still go', async () => {
    const clock = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const local = (offsetMin: number) => clock.format(Date.now() + offsetMin * 60_000);
    const put = await station.call(station.tokens.zhang, '/notifications/preferences', {
      method: 'PUT',
      body: JSON.stringify({
        preferences: [{ channel: 'email', priorities: ['critical'] }],
        quietHours: { starts: local(-60), ends: local(60) },
      }),
    });
    expect(put.status).toBe(200);
    const endpoints = (await station.call(station.tokens.zhang, '/notifications/endpoints')).body.endpoints;
    const emailId = endpoints.find((e: { channel: string }) => e.channel === 'email').id;
    const pushId = endpoints.find((e: { channel: string }) => e.channel === 'push').id;
    const mailsBefore = smtp.mails.length;

    const high = await raise({ at: Date.now(), rule: 'fall', priority: 'high', resident: RESIDENT });
    const byEndpoint = (ds: Delivery[], id: number) => ds.find((d) => d.endpoint === id)!;
    expect(byEndpoint(high, emailId)).toMatchObject({ status: 'suppressed', lastError: 'preferences' });
    expect(byEndpoint(high, pushId)).toMatchObject({ status: 'suppressed', lastError: 'quiet hours' });
    expect(high.some((d) => d.reason === 'family')).toBe(false); // family: critical only
    expect(smtp.mails.length).toBe(mailsBefore);

    const critical = await raise({ at: Date.now(), rule: 'fall', priority: 'critical', resident: RESIDENT });
    expect(byEndpoint(critical, emailId).status).toBe('sent');
    expect(byEndpoint(critical, pushId).status).toBe('sent'); // quiet hours never hold back a critical alert
  });

  it('a channel that is down is retried with backoff, then reported down on the broker, and up after it recovers', async () => {
    down.answer(503, 'maintenance');
    const endpoint = await addEndpoint(station.db.pool, {
      facility: STATION,
      channel: 'webhook',
      target: { url: `${down.url}/hook` },
    });
    const deliveries = await raise({ at: Date.now(), rule: 'fire' });
    expect(deliveries.find((d) => d.endpoint === endpoint)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'HTTP 503',
    });
    expect(down.received.length).toBe(3);
    const reported = await waitFor('channel down', () =>
      statuses.find((s) => s.endpoint === endpoint && s.state === 'down'),
    );
    expect(reported).toMatchObject({ facility: STATION, channel: 'webhook', reason: 'HTTP 503' });
    // The alerts service turns it into an alert of the station, shown like any other.
    const raised = await alertEvents.next(
      'channel alert',
      (e) => e.event === 'raised' && e.alert.rule === 'notification_channel',
    );
    expect(raised.alert).toMatchObject({
      facility: STATION,
      priority: 'high',
      subject: `channel:${endpoint}`,
      detail: `notification channel webhook #${endpoint} down: HTTP 503`,
    });

    down.answer(200);
    await raise({ at: Date.now(), rule: 'fire' });
    await waitFor('channel up', () => statuses.find((s) => s.endpoint === endpoint && s.state === 'up'));
    await alertEvents.next(
      'channel alert cleared',
      (e) => e.event === 'auto_cleared' && e.alert.id === raised.alert.id,
    );
  });
});
