import type { Clock, Pool } from '@vigil/core';
import type { DeviceKind } from '@vigil/protocol';
import { readDevices } from '@vigil/store';

/** What ingest needs to know about a device to validate and store its messages. */
export interface DeviceInfo {
  id: string;
  facility: string;
  kind: DeviceKind;
  resident: string | null;
  location: string | null;
  retired: boolean;
}

interface Entry {
  device: DeviceInfo | null;
  expiresAt: number;
}

/**
 * A read-through cache of the device registry. Known devices are kept for `ttlMs`, unknown ids for a
 * shorter `missTtlMs`, so a device registered a moment ago is recognised soon after. Misses are loaded
 * in one query per batch, never one query per message.
 */
export class DeviceDirectory {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
    private readonly missTtlMs = Math.min(5_000, ttlMs),
  ) {}

  /** The cached device, `null` for a cached unknown id, `undefined` when it must be loaded. */
  peek(id: string): DeviceInfo | null | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.device;
  }

  /** Loads the given ids (one query) into the cache. */
  async load(ids: Iterable<string>): Promise<void> {
    const wanted = [...new Set(ids)];
    if (!wanted.length) return;
    const rows = await readDevices(this.pool, wanted);
    const now = this.clock.now();
    const found = new Map(
      rows.map((d): [string, DeviceInfo] => [
        d.id,
        {
          id: d.id,
          facility: d.facility,
          kind: d.kind,
          resident: d.resident,
          location: d.location,
          retired: d.retiredAt !== null,
        },
      ]),
    );
    for (const id of wanted) {
      const device = found.get(id) ?? null;
      this.#entries.set(id, { device, expiresAt: now + (device ? this.ttlMs : this.missTtlMs) });
    }
  }

  /** Forgets everything (e.g. after a registry change the caller knows about). */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
