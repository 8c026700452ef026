import type { Aedes, Client, PublishPacket } from 'aedes';

type Done = (error?: Error) => void;

/** Routes a QoS 1 message now, as aedes' own publish would; calls back once it is stored and handed on. */
export type RouteBeforeAck = (packet: PublishPacket, client: Client | null, done: Done) => void;

/** aedes' publish as it is called at run time (its types declare only the two-argument form). */
type Publish = (packet: PublishPacket, client: Client | null | Done, done?: Done) => void;

/** Set on a packet this module has routed, so that aedes' own publish of it after the PUBACK is skipped. */
const ROUTED = Symbol('routed before ack');
type Marked = PublishPacket & { [ROUTED]?: boolean };

/**
 * aedes 1.x writes the PUBACK for a QoS 1 PUBLISH *before* it routes the message (lib/handlers/publish.js:
 * write PubAck, then broker.publish): a crash in between would lose a message the device was told is safe.
 * So the gateway routes the message itself, from `authorizePublish`, which aedes awaits before the PUBACK:
 * it calls aedes' own publish (retained store, the persistent sessions' queues on disk, delivery to the
 * connected subscribers), and aedes' later publish of that same packet is skipped. aedes already works
 * this way for QoS 2 (store, publish, then PUBREC). Callbacks, not promises: this runs for every message.
 */
export function routeBeforeAck(broker: Aedes): RouteBeforeAck {
  const target = broker as unknown as { publish: Publish };
  const publish = target.publish.bind(broker);
  target.publish = (packet: Marked, client, done) => {
    if (!packet[ROUTED]) return publish(packet, client, done);
    packet[ROUTED] = false;
    (typeof client === 'function' ? client : done)?.();
  };
  return (packet: Marked, client, done) =>
    publish(packet, client, (err) => {
      if (!err) packet[ROUTED] = true;
      done(err);
    });
}
