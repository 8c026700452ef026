import { upsertServiceAccount } from '@vigil/store';
import { start, type ApiHandle } from '@vigil/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import { makeAlert, startApiFixture, type ApiFixture } from './fixture.js';

describe('several api instances on one broker', () => {
  let fx: ApiFixture;
  let second: ApiHandle | undefined;
  const streams: StreamClient[] = [];

  beforeAll(async () => {
    fx = await startApiFixture();
    // Its own account, but the same (default) client id prefix as the first instance.
    const account = await upsertServiceAccount(fx.db.pool, 'svc-api-second', 'api');
    second = await start({
      port: 0,
      databaseUrl: fx.db.url,
      mqtt: { url: fx.gatewayUrl, username: account.id, password: account.secret },
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await second?.close();
    await fx?.close();
  });

  it('delivers every alert event to each instance', async () => {
    for (const api of [fx.api, second!]) {
      const stream = await connectStream(api.url, { token: fx.tokens.admin });
      await stream.next('snapshot');
      streams.push(stream);
    }
    // Published only, never stored: an instance can have them from its own session and from nowhere else.
    const alert = makeAlert();
    const sent = [];
    sent.push(await fx.emit('raised', alert, { store: false }));
    sent.push(await fx.emit('escalated', { ...alert, escalationLevel: 1 }, { store: false }));
    sent.push(await fx.emit('acknowledged', { ...alert, status: 'acknowledged' }, { store: false, actor: 'carol' }));
    const last = sent.at(-1)!.eventId;
    for (const stream of streams) {
      await stream.next('alert', (m) => m.eventId === last);
      const ids = stream.messages.flatMap((m) => (m.type === 'alert' ? [m.eventId] : []));
      expect(ids).toEqual(sent.map((event) => event.eventId));
    }
  });

  it('fails start-up at once when the broker refuses the login', async () => {
    await expect(
      start({
        port: 0,
        databaseUrl: fx.db.url,
        mqtt: { url: fx.gatewayUrl, username: 'svc-api-second', password: 'not-the-secret' },
      }),
    ).rejects.toMatchObject({ code: 'VIGIL_ERR_MQTT_REFUSED' });
  });
});
