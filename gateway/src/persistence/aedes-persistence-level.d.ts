// aedes-persistence-level ships no types; aedes takes its persistence option untyped (`any`) as well.
declare module 'aedes-persistence-level' {
  import type { AbstractLevel } from 'abstract-level';
  export default function aedesPersistenceLevel(
    db: AbstractLevel<string | Buffer | Uint8Array, string, string>,
  ): unknown;
}
