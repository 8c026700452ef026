import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { handleEach, type MqttMessage } from './service-client.js';

/** A message whose `ack` records itself in `acked`. */
function message(text: string, acked: string[]): MqttMessage {
  return { topic: 't', payload: Buffer.from(text), retained: false, ack: () => acked.push(text) };
}

describe('handleEach', () => {
  it('hands the next message over without waiting for the work, and acknowledges each once it has settled', async () => {
    const acked: string[] = [];
    const finish: Array<() => void> = [];
    const handler = handleEach(() => new Promise<void>((resolve) => finish.push(resolve)), silentLogger());
    let nexts = 0;
    handler(message('a', acked), () => nexts++);
    handler(message('b', acked), () => nexts++);
    // At once, or after one turn of the event loop on a busy machine (the yield after 2 ms of work).
    await nextTurn();
    expect(nexts).toBe(2);
    expect(acked).toEqual([]);
    finish[1]!();
    await nextTurn();
    expect(acked).toEqual(['b']); // the client's AckQueue puts PUBACKs back in arrival order
    finish[0]!();
    await nextTurn();
    expect(acked).toEqual(['b', 'a']);
  });

  it('acknowledges a message whose work failed (it would otherwise come back for ever)', async () => {
    const acked: string[] = [];
    const handler = handleEach(() => Promise.reject(new Error('bad message')), silentLogger());
    handler(message('poison', acked), () => {});
    await nextTurn();
    expect(acked).toEqual(['poison']);
  });

  it('lets the event loop turn before the next message once the work has kept it busy', async () => {
    const handler = handleEach(async () => {}, silentLogger());
    const busyUntil = performance.now() + 5;
    while (performance.now() < busyUntil); // more than YIELD_AFTER_MS of work since the handler was made
    let handedOver = false;
    handler(message('late', []), () => (handedOver = true));
    expect(handedOver).toBe(false);
    await nextTurn();
    expect(handedOver).toBe(true);
  });
});
