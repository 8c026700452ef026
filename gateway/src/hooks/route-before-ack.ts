import type { Aedes, Client, PublishPacket } from 'aedes';

/** Routes a QoS 1 message now, as aedes' own publish would; resolves once it is stored and handed on. */
export type RouteBeforeAck = (packet: PublishPacket, client: Client | null) => Promise<void>;

type Done = (error?: Error) => void;
/** aedes' publish as it is called at run time (its types declare only the two-argument form). */
type Publish = (packet: PublishPacket, client: Client | null | Done, done?: Done) => void;

/**
 * aedes 1.x writes the PUBACK for a QoS 1 PUBLISH *before* it routes the message (lib/handlers/publish.js:
 * write PubAck, then broker.publish): a crash in between would lose a message the device was told is safe.
 * So the gateway routes the message itself, from `authorizePublish`, which aedes awaits before the PUBACK:
 * it calls aedes' own publish (retained store, the persistent sessions' queues on disk, delivery to the
 * connected subscribers), and aedes' later publish of that same packet is skipped. aedes already works
 * this way for QoS 2 (store, publish, then PUBREC).
 */
export function routeBeforeAck(broker: Aedes): RouteBeforeAck {
  const routed = new WeakSet<PublishPacket>();
  const target = broker as unknown as { publish: Publish };
  const publish = target.publish.bind(broker);
  target.publish = (packet, client, done) => {
    if (!routed.delete(packet)) return publish(packet, client, done);
    (typeof client === 'function' ? client : done)?.();
  };
  return (packet, client) =>
    new Promise<void>((resolve, reject) =>
      publish(packet, client, (err) => {
        if (err) return reject(err);
        routed.add(packet);
        resolve();
      }),
    );
}
