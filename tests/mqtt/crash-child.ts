/**
 * A service process for the crash test (service-client.test.ts): a durable session whose "work" on a message
 * commits at once for payloads starting `commit:` and never for the others, as if the process died mid-transaction.
 * It reports on stdout, one JSON line per step, so the test knows when to kill it.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { connectMqttService, createLogger } from '@vigil/core';

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const service = await connectMqttService({
  url: process.env.CRASH_URL!,
  username: 'crash-test',
  password: 'unused',
  clientId: process.env.CRASH_CLIENT_ID!,
  session: 'durable',
  filters: [process.env.CRASH_TOPIC!],
  log: createLogger({ level: 'warn', name: 'crash-child', destination: 2 }),
  handler: (message, next) => {
    const text = message.payload.toString();
    say({ got: text });
    if (text.startsWith('commit:')) {
      message.ack?.();
      // The acknowledgement queue writes on the next turn; once past it, the PUBACK is on the socket.
      void nextTurn().then(() => say({ acked: text }));
    }
    next();
  },
});
say({ ready: service.clientId });
