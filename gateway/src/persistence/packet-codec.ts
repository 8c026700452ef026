/** Marks a binary value (a payload, an MQTT 5 correlation-data property) in the JSON form on disk. */
const BINARY = '$b64';

/** A copy of `value` that JSON can hold: binary values become `{"$b64": …}`, functions are left out. */
function plain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Uint8Array)
    return { [BINARY]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (typeof field !== 'function') out[key] = typeof field === 'object' ? plain(field) : field;
  }
  return out;
}

/**
 * An aedes packet as one JSON string for the gateway's LevelDB. (Not a JSON.stringify replacer: JSON calls
 * Buffer's toJSON, which spells the payload out as an array of numbers, before a replacer sees it.)
 */
export function encodePacket(packet: object): string {
  return JSON.stringify(plain(packet));
}

export function decodePacket<T>(json: string): T {
  return JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && BINARY in value
      ? Buffer.from((value as Record<typeof BINARY, string>)[BINARY], 'base64')
      : value,
  ) as T;
}
