import mqtt from 'mqtt';

export interface CounterOptions {
  url: string;
  username: string;
  password: string;
  /** Filters to subscribe to (QoS 1). */
  topics: string[];
}

/** A plain mqtt.js subscriber (persistent session, QoS 1, PUBACK on receipt) that counts what it receives. */
export async function countingSubscriber({ url, username, password, topics }: CounterOptions) {
  const client = await mqtt.connectAsync(url, { username, password, clientId: username, clean: false });
  let received = 0;
  client.on('message', () => received++);
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    count: () => received,
    // Unsubscribes first: a persistent session left behind would make the broker queue every later message.
    close: async () => {
      await client.unsubscribeAsync(topics);
      await client.endAsync();
    },
  };
}
