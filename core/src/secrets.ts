import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** A new device or service secret: 32 random bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

const FAST_PREFIX = 'sha256$';

const sha256 = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/**
 * Stored form of a secret Vigil generated (`generateSecret`): `sha256$<base64url digest>`. A slow password hash
 * exists to slow the guessing of low-entropy human passwords; a 256-bit random secret has no dictionary to guess
 * from, so one SHA-256 is as hard to invert and lets a gateway verify a restart's reconnect storm in
 * milliseconds (docs/gateway.md "Authentication"). Never use it for a secret a person chose.
 */
export function hashSecret(secret: string): string {
  return FAST_PREFIX + sha256(secret).toString('base64url');
}

/** Slow hash (argon2id) for a secret a person chose, e.g. a service password set in a deployment's config. */
export function hashPassword(secret: string): Promise<string> {
  return hash(secret);
}

/** Whether a stored hash is of the fast scheme; anything else (`$argon2id$…`) is a legacy slow hash. */
export function isFastSecretHash(secretHash: string): boolean {
  return secretHash.startsWith(FAST_PREFIX);
}

/**
 * Checks a secret against its stored hash: the fast scheme by a timing-safe comparison of digests, a legacy
 * argon2id hash by argon2. A malformed hash verifies nothing.
 */
export async function verifySecret(secretHash: string, secret: string): Promise<boolean> {
  if (isFastSecretHash(secretHash)) {
    const stored = Buffer.from(secretHash.slice(FAST_PREFIX.length), 'base64url');
    const given = sha256(secret);
    return stored.length === given.length && timingSafeEqual(stored, given);
  }
  try {
    return await verify(secretHash, secret);
  } catch {
    return false;
  }
}

/** API tokens are random and high-entropy, so a fast sha256 is enough to store them. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function generateToken(): string {
  return `vgl_${randomBytes(32).toString('base64url')}`;
}
