import build from 'fast-json-stringify';
import { z } from 'zod';

type Write = (data: unknown) => string;

/**
 * Keywords the compiled writer is not used with: combinators and references (fast-json-stringify picks a branch by
 * running a validator), records (`propertyNames`, a schema as `additionalProperties`) and defaults (it would write
 * them). Answers with any of these are written by `JSON.stringify`.
 */
const NOT_PLAIN = new Set([
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  '$ref',
  'propertyNames',
  'patternProperties',
  'prefixItems',
  'additionalItems',
  'default',
]);

/** True when the JSON schema is made of objects, arrays and single or nullable primitives only. */
function plain(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(plain);
  if (schema === null || typeof schema !== 'object') return true;
  return Object.entries(schema).every(([keyword, value]) => {
    if (NOT_PLAIN.has(keyword)) return false;
    if (keyword === 'additionalProperties') return typeof value === 'boolean';
    if (keyword === 'properties') return Object.values(value as object).every(plain);
    return plain(value);
  });
}

/**
 * How an answer that its zod schema has already checked (`schema.parse` output) is written: by a function compiled
 * from the schema's JSON schema (fast-json-stringify) when that schema is plain, else by `JSON.stringify`; both give
 * the same JSON for checked data (the compiled writer puts optional keys after the required ones). The compiled one writes a small answer in a quarter to a third of the time
 * (docs/api.md "Benchmark").
 */
export function compileWriter(schema: z.ZodType): { compiled: boolean; write: Write } {
  let json: unknown;
  try {
    json = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' });
  } catch {
    return { compiled: false, write: JSON.stringify }; // not representable (none of the api's answers so far)
  }
  if (!plain(json)) return { compiled: false, write: JSON.stringify };
  return { compiled: true, write: build(json as build.Schema) as Write };
}

/** `compileWriter`'s writer, compiled when first used: most routes' answers are never written in a test run. */
export function responseWriter(schema: z.ZodType): Write {
  let write: Write | undefined;
  return (data) => (write ??= compileWriter(schema).write)(data);
}
