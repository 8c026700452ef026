import mqtt, { type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * A service-account subscriber (what ingest or alerts would be) that records every message it receives.
 * The caller closes `client`.
 */
export async function observe(
  url: string,
  account: { id: string; secret: string },
  filters: string | string[],
  clientId: string,
): Promise<{ client: MqttClient; messages: Received[] }> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId,
    username: account.id,
    password: account.secret,
    reconnectPeriod: 0,
  });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, messages };
}
