import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileWriter } from './response-writer.js';

const session = z.object({
  role: z.string(),
  facility: z.string().nullable(),
  region: z.string().nullable(),
  actor: z.string(),
});
const page = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      count: z.number().int(),
      ratio: z.number(),
      at: z.iso.datetime(),
      state: z.enum(['open', 'closed']),
      kind: z.literal('alert'),
      note: z.string().optional(),
      tags: z.array(z.string()),
      seen: z.boolean().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const awkward = 'quote " backslash \\ newline \n tab \t bell \u0007 中文 emoji 😀 lone \ud800 end';
const item = (over: object = {}) => ({
  id: '6f1f3c1e-8a4b-4c55-9d1e-2f3a4b5c6d7e',
  count: 3,
  ratio: -0,
  at: '2026-12-01T20:00:00.000Z',
  state: 'open',
  kind: 'alert',
  tags: [awkward, ''],
  seen: null,
  ...over,
});

describe('compileWriter', () => {
  it('compiles plain schemas and writes the JSON that JSON.stringify writes for checked data', () => {
    const cases: [z.ZodType, unknown][] = [
      [session, { role: 'safety-officer', facility: 'f1', region: null, actor: awkward }],
      [page, { items: [], nextCursor: null }],
      [
        page,
        {
          items: [item(), item({ note: awkward, ratio: 1e21, count: -7, seen: true }), item({ note: undefined })],
          nextCursor: 'c1',
        },
      ],
    ];
    for (const [schema, data] of cases) {
      const writer = compileWriter(schema);
      expect(writer.compiled).toBe(true);
      const checked = schema.parse(data);
      // The same values; an optional key may come after the required ones.
      expect(JSON.parse(writer.write(checked))).toEqual(JSON.parse(JSON.stringify(checked)));
      if (schema === session) expect(writer.write(checked)).toBe(JSON.stringify(checked));
    }
  });

  it('writes only the declared keys, as the zod check leaves them', () => {
    const checked = session.parse({ role: 'admin', facility: null, region: null, actor: 'a', name: '张伟' });
    expect(compileWriter(session).write({ ...checked, name: '张伟' })).toBe(JSON.stringify(checked));
  });

  it('leaves unions, records and defaults to JSON.stringify', () => {
    for (const schema of [
      z.object({ subject: z.union([z.object({ a: z.string() }), z.object({ b: z.number() })]) }),
      z.object({ names: z.record(z.string(), z.string().nullable()) }),
      z.object({ limit: z.number().default(50) }),
      z.object({ nested: z.object({ a: z.string() }).nullable() }),
    ]) {
      expect(compileWriter(schema)).toEqual({ compiled: false, write: JSON.stringify });
    }
  });
});
