import { describe, expect, it } from 'vitest';
import { decodePackets, encodePacket } from './packet-codec.js';

const publish = {
  cmd: 'publish',
  brokerId: '6d3f0c9e-1b2a-4c5d-8e7f-0a1b2c3d4e5f',
  brokerCounter: 4_294_967_301,
  topic: 'vigil/v1/sunrise/wb-1/reading',
  payload: Buffer.from('{"seq":1,"hr":72}'),
  qos: 1,
  retain: false,
  dup: false,
};
const roundTrip = (packet: object) => decodePackets<Record<string, unknown>>(encodePacket(packet))[0];

describe('packet codec', () => {
  it("stores aedes' own PUBLISH packets with a compact header, every field as it was", () => {
    expect(roundTrip(publish)).toEqual(publish);
    const full = {
      ...publish,
      qos: 2,
      retain: true,
      dup: true,
      messageId: 65_535,
      clientId: '院-wb-1',
      topic: 'vigil/v1/松鹤/wb-1/status',
    };
    expect(roundTrip(full)).toEqual(full);
    // aedes sets messageId = undefined on QoS > 0 packets; it is left out as JSON would leave it out.
    expect(roundTrip({ ...publish, messageId: undefined })).toEqual(publish);
    expect(roundTrip({ ...publish, payload: 'text' })).toEqual({ ...publish, payload: Buffer.from('text') });
    // About 80 bytes shorter than the JSON header of the same packet.
    const json = encodePacket({ ...publish, properties: undefined, extra: 1 });
    expect(json.length - encodePacket(publish).length).toBeGreaterThan(60);
  });

  it('falls back to a JSON header for anything else, binary values included', () => {
    const mqtt5 = { ...publish, properties: { correlationData: Buffer.from([0, 255]), userProperties: { a: 'b' } } };
    expect(roundTrip(mqtt5)).toEqual(mqtt5);
    expect(roundTrip({ cmd: 'pubrel', messageId: 8 })).toEqual({ cmd: 'pubrel', messageId: 8 });
    expect(roundTrip({ ...publish, qos: 3 })).toEqual({ ...publish, qos: 3 });
    expect(roundTrip({ ...publish, length: 42 })).toEqual({ ...publish, length: 42 });
    expect(roundTrip({ ...publish, messageId: 70_000 })).toEqual({ ...publish, messageId: 70_000 });
  });

  it('reads a record of both kinds back in order', () => {
    const packets = [publish, { cmd: 'pubrel', messageId: 3 }, { ...publish, brokerCounter: 2, clientId: 'wb-1' }];
    const record = Buffer.concat(packets.map(encodePacket));
    expect(decodePackets(record)).toEqual(packets);
  });
});
