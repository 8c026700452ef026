import type { Principal, TokenRecord, TokenRole, UserRecord } from '@vigil/store';
import { z } from 'zod';
import { Forbidden, NotFound } from '../errors.js';

/**
 * Who may manage accounts (docs/api.md "Sign-in, sessions and tokens"): admins everyone, safety officers the
 * caregivers, officers and displays of their own facility. Another facility's accounts answer 404, as every
 * cross-scope record does.
 */
export function allowAccounts(principal: Principal): void {
  if (principal.role !== 'admin' && principal.role !== 'safety-officer') {
    throw Forbidden(`a ${principal.role} token may not manage users or tokens`);
  }
}

const FACILITY_ROLES: readonly TokenRole[] = ['caregiver', 'safety-officer', 'display'];

type Account = { role: TokenRole; facility: string | null };

/** An existing account (user or token) to be changed: one outside the officer's facility answers 404. */
export function assertManages(principal: Principal, target: Account, what: string): void {
  if (principal.role === 'admin') return;
  // Scope first: revoking is open to every role for its own tokens, and another facility's must stay unprobeable.
  if (target.facility !== principal.facility) throw NotFound(`${what} not found`);
  allowAccounts(principal);
  if (!FACILITY_ROLES.includes(target.role)) throw Forbidden(`a safety officer may not manage ${target.role} accounts`);
}

/** An account to be created: a role the officer may not create is 403, another facility 404. */
export function assertMayCreate(principal: Principal, target: Account): void {
  allowAccounts(principal);
  if (principal.role === 'admin') return;
  if (!FACILITY_ROLES.includes(target.role)) throw Forbidden(`a safety officer may not create ${target.role} accounts`);
  if (target.facility !== principal.facility) throw NotFound(`facility ${target.facility} not found`);
}

const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

export const userViewSchema = z.object({
  id: z.string().describe('also the username to sign in with'),
  name: z.string(),
  role: z.enum(['caregiver', 'safety-officer', 'regulator', 'admin']),
  facility: z.string().nullable(),
  region: z.string().nullable(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  hasPassword: z.boolean(),
});

export function userView(user: UserRecord): z.infer<typeof userViewSchema> {
  return { ...user, createdAt: user.createdAt.toISOString(), disabledAt: isoOrNull(user.disabledAt) };
}

export const tokenViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['token', 'session']).describe('session: issued by sign-in'),
  role: z.enum(['caregiver', 'safety-officer', 'regulator', 'admin', 'display']),
  user: z.string().nullable(),
  facility: z.string().nullable(),
  region: z.string().nullable(),
  label: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export function tokenView(token: TokenRecord): z.infer<typeof tokenViewSchema> {
  return {
    ...token,
    createdAt: token.createdAt.toISOString(),
    expiresAt: isoOrNull(token.expiresAt),
    revokedAt: isoOrNull(token.revokedAt),
  };
}
