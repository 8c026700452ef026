import { describe, expect, it } from 'vitest';
import { generateSecret, hashPassword, hashSecret, isFastSecretHash, verifySecret } from './secrets.js';

describe('device secret hashing', () => {
  it('stores a generated secret as a versioned sha256 hash that verifies only that secret', async () => {
    const secret = generateSecret();
    const stored = hashSecret(secret);
    expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(isFastSecretHash(stored)).toBe(true);
    expect(await verifySecret(stored, secret)).toBe(true);
    expect(await verifySecret(stored, generateSecret())).toBe(false);
    expect(await verifySecret(stored, '')).toBe(false);
  });

  it('still verifies a legacy argon2id hash', async () => {
    const secret = generateSecret();
    const legacy = await hashPassword(secret);
    expect(legacy).toMatch(/^\$argon2id\$/);
    expect(isFastSecretHash(legacy)).toBe(false);
    expect(await verifySecret(legacy, secret)).toBe(true);
    expect(await verifySecret(legacy, 'wrong')).toBe(false);
  });

  it('verifies nothing against a malformed or truncated hash instead of throwing', async () => {
    const secret = generateSecret();
    // A digest of the wrong length must not reach timingSafeEqual (which throws on unequal lengths).
    expect(await verifySecret(hashSecret(secret).slice(0, -4), secret)).toBe(false);
    expect(await verifySecret('sha256$', secret)).toBe(false);
    expect(await verifySecret('garbage', secret)).toBe(false);
  });
});
