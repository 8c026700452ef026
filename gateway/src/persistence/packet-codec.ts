/** Marks a binary value (an MQTT 5 correlation-data property, say) in a packet's JSON header. */
const BINARY = '$b64';
/** The payload length written for a packet that has no payload (a PUBREL). */
const NO_PAYLOAD = -1;

/**
 * A copy of `value` that JSON can hold: binary values become `{"$b64": …}`, functions are left out, and so
 * is the top-level field `skip`. (Not a JSON.stringify replacer: Buffer's toJSON runs before a replacer.)
 */
function plain(value: unknown, skip?: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array)
    return { [BINARY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map((item) => plain(item));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (key !== skip && typeof field !== 'function') out[key] = typeof field === 'object' ? plain(field) : field;
  }
  return out;
}

/**
 * An aedes packet as bytes for the gateway's LevelDB: `[int32 header length][header JSON][int32 payload
 * length, -1 for none][payload bytes]`. The payload, most of a message, is copied as it is (no base64, no
 * JSON escaping). Packets encoded one after another form a record that decodePackets reads back.
 */
export function encodePacket(packet: object): Buffer {
  const fields = packet as Record<string, unknown>;
  const head = JSON.stringify(plain(fields, 'payload'));
  const headLength = Buffer.byteLength(head);
  const payload = fields.payload;
  const body = payload === undefined ? null : typeof payload === 'string' ? Buffer.from(payload) : (payload as Buffer);
  const out = Buffer.allocUnsafe(8 + headLength + (body?.length ?? 0));
  out.writeInt32BE(headLength, 0);
  out.write(head, 4, headLength, 'utf8');
  out.writeInt32BE(body ? body.length : NO_PAYLOAD, 4 + headLength);
  body?.copy(out, 8 + headLength);
  return out;
}

/** JSON.parse reviver: `{"$b64": …}` back to a Buffer. */
function binary(_key: string, value: unknown): unknown {
  return typeof value === 'object' && value !== null && BINARY in value
    ? Buffer.from((value as Record<typeof BINARY, string>)[BINARY], 'base64')
    : value;
}

/** A packet in the first on-disk format (one JSON string, payload as `{"$b64": …}`); read only to upgrade it. */
export function decodeJsonPacket<T>(json: string): T {
  return JSON.parse(json, binary) as T;
}

/** The packets of a record (one or more encodePacket outputs back to back), in order; payloads as Buffers. */
export function decodePackets<T>(record: Buffer): T[] {
  const packets: T[] = [];
  for (let at = 0; at < record.length;) {
    const headLength = record.readInt32BE(at);
    const head = record.toString('utf8', at + 4, at + 4 + headLength);
    const packet = JSON.parse(head, binary) as Record<string, unknown>;
    at += 4 + headLength;
    const payloadLength = record.readInt32BE(at);
    at += 4;
    if (payloadLength !== NO_PAYLOAD) {
      packet.payload = record.subarray(at, at + payloadLength);
      at += payloadLength;
    }
    packets.push(packet as T);
  }
  return packets;
}
