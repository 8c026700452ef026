import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** A new device or service secret: 32 random bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Slow hash (argon2id) for device and service secrets. */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

export async function verifySecret(secretHash: string, secret: string): Promise<boolean> {
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
