import { createHash } from 'node:crypto';
import { hashSecret, isFastSecretHash, verifySecret, type Clock, type Logger, type Queryable } from '@vigil/core';
import { getDeviceCredentials, getServiceAccount, upgradeDeviceSecretHash } from '@vigil/store';
import type { RefusalReason } from '../errors.js';
import type { Principal } from '../acl/rights.js';

/** Where verified logins are remembered across restarts (the gateway's LevelDB). */
export interface VerifiedStore {
  get(key: string): Promise<number | undefined>;
  put(key: string, until: number): void;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: RefusalReason };

interface AccountRow {
  principal: Principal;
  secretHash: string;
  retired: boolean;
}

const MAX_CACHED = 50_000;

/**
 * Checks MQTT credentials against the registry. Secrets Vigil generated are stored with the fast hash
 * (`hashSecret`), verified in about a microsecond. A device still stored as argon2id (registered before the
 * fast scheme) is upgraded to it after its next successful login; until then a successful argon2 verification
 * of (account, stored hash, password) is remembered for `ttlMs`, in memory and on disk (`store`), so a
 * reconnect storm does not wait for argon2 while the fleet migrates. Retirement and rotation are still seen at
 * once, because the registry row is read on every connect and a rotated secret has a new stored hash. When the
 * registry is unreachable the last row seen is used, so devices already known keep connecting.
 */
export class CredentialChecker {
  readonly #db: Queryable;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #verified = new Map<string, number>();
  readonly #rows = new Map<string, AccountRow>();
  readonly #store: VerifiedStore | null;

  constructor(db: Queryable, options: { clock: Clock; logger: Logger; ttlMs: number; store?: VerifiedStore }) {
    this.#db = db;
    this.#store = options.store ?? null;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#ttlMs = options.ttlMs;
  }

  async check(clientId: string, username: string | undefined, password: Buffer | undefined): Promise<AuthResult> {
    if (!username || !password || password.length === 0) return { ok: false, reason: 'bad_credentials' };
    const row = await this.#lookup(username);
    if (row === 'unavailable') return { ok: false, reason: 'registry_unavailable' };
    if (!row) return { ok: false, reason: 'unknown_account' };
    if (row.retired) return { ok: false, reason: 'retired' };
    // PROTOCOL.md: a device's client id is its device id, so a session can only ever be taken over by itself.
    if (row.principal.type === 'device' && clientId !== row.principal.id)
      return { ok: false, reason: 'client_id_mismatch' };
    if (row.principal.type === 'service' && (await this.#isDeviceId(clientId)))
      return { ok: false, reason: 'client_id_mismatch' };
    if (!(await this.#verify(row, password))) return { ok: false, reason: 'bad_credentials' };
    return { ok: true, principal: row.principal };
  }

  async #lookup(username: string): Promise<AccountRow | null | 'unavailable'> {
    try {
      const device = await getDeviceCredentials(this.#db, username);
      let row: AccountRow | null = null;
      if (device) {
        row = {
          principal: { type: 'device', id: device.id, facility: device.facility, kind: device.kind },
          secretHash: device.secretHash,
          retired: device.retired,
        };
      } else {
        const account = await getServiceAccount(this.#db, username);
        if (account)
          row = {
            principal: { type: 'service', id: account.id, role: account.role },
            secretHash: account.secretHash,
            retired: account.retired,
          };
      }
      this.#remember(this.#rows, username, row);
      return row;
    } catch (err) {
      const stale = this.#rows.get(username);
      this.#log.warn({ err, username, usedCache: Boolean(stale) }, 'registry lookup failed');
      return stale ?? 'unavailable';
    }
  }

  async #isDeviceId(clientId: string): Promise<boolean> {
    try {
      return (await getDeviceCredentials(this.#db, clientId)) !== null;
    } catch {
      return false;
    }
  }

  async #verify(row: AccountRow, password: Buffer): Promise<boolean> {
    const secret = password.toString('utf8');
    if (isFastSecretHash(row.secretHash)) return verifySecret(row.secretHash, secret);
    const ok = await this.#verifySlow(row, password);
    // Every device secret was generated, so the fast hash suits it; a service password may have been chosen
    // by a person (a deployment's configured one) and keeps its argon2id hash.
    if (ok && row.principal.type === 'device') this.#upgrade(row, secret);
    return ok;
  }

  #upgrade(row: AccountRow, secret: string): void {
    const oldHash = row.secretHash;
    const newHash = hashSecret(secret);
    upgradeDeviceSecretHash(this.#db, row.principal.id, oldHash, newHash).then(
      (upgraded) => {
        if (!upgraded) return;
        row.secretHash = newHash;
        this.#log.info({ deviceId: row.principal.id }, 'device secret hash upgraded to sha256');
      },
      (err: unknown) => this.#log.warn({ err, deviceId: row.principal.id }, 'could not upgrade a secret hash'),
    );
  }

  /** argon2 is slow on purpose: a success is remembered, keyed by sha256(id, stored hash, password). */
  async #verifySlow(row: AccountRow, password: Buffer): Promise<boolean> {
    const key = createHash('sha256')
      .update(row.principal.id)
      .update('\0')
      .update(row.secretHash)
      .update('\0')
      .update(password)
      .digest('base64');
    const now = this.#clock.now();
    const until = this.#verified.get(key) ?? (await this.#store?.get(key).catch(() => undefined));
    if (until !== undefined && until > now) return true;
    const ok = await verifySecret(row.secretHash, password.toString('utf8'));
    if (ok && this.#ttlMs > 0) {
      this.#remember(this.#verified, key, now + this.#ttlMs);
      this.#store?.put(key, now + this.#ttlMs);
    }
    return ok;
  }

  /** A bounded map: the oldest entry goes first (insertion order), so a flood of ids cannot grow memory. */
  #remember<V>(map: Map<string, V>, key: string, value: V | null): void {
    map.delete(key);
    if (value === null) return;
    map.set(key, value);
    if (map.size > MAX_CACHED) map.delete(map.keys().next().value as string);
  }
}
