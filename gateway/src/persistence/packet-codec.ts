/** Marks a binary value (a payload, an MQTT 5 correlation-data property) in the JSON form on disk. */
const BINARY = '$b64';

/**
 * An aedes packet as one JSON string for the gateway's LevelDB: binary values become `{"$b64": …}`,
 * functions and undefined fields (aedes' write callbacks) are left out.
 */
export function encodePacket(packet: object): string {
  return JSON.stringify(packet, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Uint8Array
      ? { [BINARY]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') }
      : value;
  });
}

export function decodePacket<T>(json: string): T {
  return JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && BINARY in value
      ? Buffer.from((value as Record<typeof BINARY, string>)[BINARY], 'base64')
      : value,
  ) as T;
}
