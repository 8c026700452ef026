import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  DEVICE_KINDS,
  EVENT_TYPES,
  ID_PATTERN,
  LAST_WILL_PAYLOAD,
  MAX_PACKET_BYTES,
  MAX_PAYLOAD_BYTES,
  READING_FIELDS,
  READING_UNITS,
  TOPIC_ROOT,
  TS_MAX_AGE_MS,
  TS_MAX_FUTURE_MS,
  alertEventSchema,
  alertSchema,
  batchReadingSchema,
  eventSchema,
  singleReadingSchema,
  statusSchema,
  streamAlertSchema,
  streamHeartbeatSchema,
  streamHelloSchema,
  streamSnapshotSchema,
} from '@vigil/protocol';

/** Every generated artefact: path relative to the repository root → content. */
export type Artefacts = Map<string, string>;

const jsonSchema = (schema: z.ZodType, id: string) =>
  `${JSON.stringify({ $id: id, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) }, null, 2)}\n`;

function describeField(schema: z.ZodType): string {
  const s = z.toJSONSchema(schema, { io: 'input' }) as {
    type?: string;
    enum?: string[];
    minimum?: number;
    maximum?: number;
  };
  if (s.enum) return s.enum.join(' / ');
  if (s.type === 'boolean') return 'bool';
  const kind = s.type === 'integer' ? 'integer ' : '';
  const unbounded = s.maximum === undefined || s.maximum >= Number.MAX_SAFE_INTEGER;
  return unbounded ? `${kind}≥ ${s.minimum}` : `${kind}${s.minimum} to ${s.maximum}`;
}

function readingTable(): string {
  const rows = DEVICE_KINDS.map((kind) => {
    const fields = Object.entries(READING_FIELDS[kind] as Record<string, z.ZodType>).map(
      ([name, schema]) => `\`${name}\` ${describeField(schema)}${READING_UNITS[name] ? ` ${READING_UNITS[name]}` : ''}`,
    );
    return `| \`${kind}\` | ${fields.join(' · ')} |`;
  });
  return ['| kind | fields |', '|---|---|', ...rows].join('\n');
}

function eventTable(): string {
  const rows = DEVICE_KINDS.map((kind) => `| \`${kind}\` | ${EVENT_TYPES[kind].map((t) => `\`${t}\``).join(' · ')} |`);
  return ['| kind | types |', '|---|---|', ...rows].join('\n');
}

/** Renders docs/PROTOCOL.md and docs/schemas/*.json from the contract package. */
export async function renderProtocolArtefacts(): Promise<Artefacts> {
  const template = await readFile(new URL('./protocol-template.md', import.meta.url), 'utf8');
  const values: Record<string, string> = {
    idPattern: ID_PATTERN.source.replace(/^\^|\$$/g, ''),
    lastWill: LAST_WILL_PAYLOAD,
    topicRoot: TOPIC_ROOT,
    maxPacketKiB: String(MAX_PACKET_BYTES / 1024),
    maxPayloadKiB: String(MAX_PAYLOAD_BYTES / 1024),
    maxAgeDays: String(TS_MAX_AGE_MS / 86_400_000),
    maxFutureMin: String(TS_MAX_FUTURE_MS / 60_000),
    readingTable: readingTable(),
    eventTable: eventTable(),
  };
  const artefacts: Artefacts = new Map();
  artefacts.set(
    'docs/PROTOCOL.md',
    template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      if (!(key in values)) throw new Error(`protocol template: unknown placeholder {{${key}}}`);
      return values[key]!;
    }),
  );
  for (const kind of DEVICE_KINDS) {
    const reading = z.union([singleReadingSchema(kind), batchReadingSchema(kind)]);
    artefacts.set(`docs/schemas/reading.${kind}.json`, jsonSchema(reading, `vigil/v1/reading/${kind}`));
    artefacts.set(`docs/schemas/event.${kind}.json`, jsonSchema(eventSchema(kind), `vigil/v1/event/${kind}`));
  }
  artefacts.set('docs/schemas/status.json', jsonSchema(statusSchema, 'vigil/v1/status'));
  artefacts.set('docs/schemas/alert.json', jsonSchema(alertSchema, 'vigil/v1/alert'));
  artefacts.set('docs/schemas/alert-event.json', jsonSchema(alertEventSchema, 'vigil/v1/alert-event'));
  artefacts.set('docs/schemas/stream.hello.json', jsonSchema(streamHelloSchema, 'vigil/v1/stream/hello'));
  artefacts.set('docs/schemas/stream.snapshot.json', jsonSchema(streamSnapshotSchema, 'vigil/v1/stream/snapshot'));
  artefacts.set('docs/schemas/stream.alert.json', jsonSchema(streamAlertSchema, 'vigil/v1/stream/alert'));
  artefacts.set('docs/schemas/stream.heartbeat.json', jsonSchema(streamHeartbeatSchema, 'vigil/v1/stream/heartbeat'));
  return artefacts;
}
