import type { Queryable } from '@vigil/core';
import { CARE_LEVELS, careLevelSchema, deviceKindSchema, locationKindSchema } from '@vigil/protocol';
import { z } from 'zod';
import { RegistryInvalid, RegistryNotFound, registryError } from '../errors.js';
import type { FacilityKind } from '../homecare/dwellings.js';
import { HOME_KIT } from '../homecare/kit.js';
import { residentRiskSchema } from './risks.js';

const devices = z.array(deviceKindSchema).min(1);

/**
 * A facility's coverage policy (docs/ARCHITECTURE.md "Coverage audit"): the device kinds every place of a kind
 * and every resident of a care level or with a risk must have, and the thresholds the audit judges by.
 */
export const coveragePolicySchema = z.strictObject({
  places: z.array(z.strictObject({ kind: locationKindSchema, devices })),
  residents: z.array(
    z
      .strictObject({
        careLevels: z.array(careLevelSchema).default([]),
        risks: z.array(residentRiskSchema).default([]),
        devices,
      })
      .refine((r) => r.careLevels.length + r.risks.length > 0, 'a resident rule needs careLevels or risks'),
  ),
  /** A battery below this share is low. */
  lowBattery: z.number().gt(0).lt(1).default(0.2),
  /** A device whose last functional test (`test` event) is older than this is overdue. */
  testEveryDays: z.number().int().positive().default(90),
});
export type CoveragePolicy = z.infer<typeof coveragePolicySchema>;
export type CoveragePolicyInput = z.input<typeof coveragePolicySchema>;

/** The default policy, which the demo facility follows (simulators/src/seed/plan.ts). Version 0. */
export const DEFAULT_POLICY: CoveragePolicy = coveragePolicySchema.parse({
  places: [
    { kind: 'room', devices: ['smoke'] },
    { kind: 'kitchen', devices: ['gas'] },
    { kind: 'board', devices: ['electrical'] },
    { kind: 'exit', devices: ['door'] },
  ],
  residents: [
    { careLevels: ['semi-dependent', 'fully-dependent'], devices: ['bedmat', 'button'] },
    { risks: ['falls', 'wandering'], devices: ['wristband'] },
    { risks: ['falls-from-bed', 'pressure-sores'], devices: ['bedmat'] },
  ],
});

/**
 * The default of a home-care station (docs/homecare.md "Home kit"): its home kit, the devices of the dwelling in
 * every dwelling and the resident's own (call button, bed mat) with every resident, whatever the care level.
 */
export const HOME_CARE_POLICY: CoveragePolicy = coveragePolicySchema.parse({
  places: [{ kind: 'dwelling', devices: HOME_KIT.filter((d) => !d.resident).map((d) => d.kind) }],
  residents: [{ careLevels: CARE_LEVELS, devices: HOME_KIT.filter((d) => d.resident).map((d) => d.kind) }],
});

/** Version 0 of a facility of this kind: what it applies until it stores a policy of its own. */
export const defaultPolicy = (kind: FacilityKind | null): CoveragePolicy =>
  kind === 'home-care' ? HOME_CARE_POLICY : DEFAULT_POLICY;

/** A policy as applied: version 0 is the default of the facility's kind, used until a facility stores its own. */
export interface PolicyVersion {
  facility: string;
  version: number;
  policy: CoveragePolicy;
  createdAt: string | null;
}

export function parsePolicy(input: unknown): CoveragePolicy {
  const parsed = coveragePolicySchema.safeParse(input);
  if (!parsed.success) throw RegistryInvalid(`coverage policy: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

/** Stores a facility's policy; the database makes it the next version (migration 0080) and returns it. */
export async function setCoveragePolicy(db: Queryable, facility: string, input: unknown): Promise<PolicyVersion> {
  const policy = parsePolicy(input);
  const { rows } = await db
    .query(
      `INSERT INTO coverage_policies (facility_id, policy) VALUES ($1, $2)
       ON CONFLICT (facility_id) DO UPDATE SET policy = EXCLUDED.policy
       RETURNING version, updated_at`,
      [facility, JSON.stringify(policy)],
    )
    .catch((err) => registryError(err, `coverage policy of facility ${facility}`));
  return { facility, version: rows[0].version, policy, createdAt: rows[0].updated_at.toISOString() };
}

/**
 * The policy a facility applies: its newest version, else the default of its kind (version 0) — also once its
 * policy was deleted (a deletion is a version without a policy). Or a given version: 0 is the default, a
 * superseded version applies as it was; a version the facility never had, or its deletion, is
 * `VIGIL_ERR_REGISTRY_NOT_FOUND`.
 */
export async function getCoveragePolicy(db: Queryable, facility: string, version?: number): Promise<PolicyVersion> {
  const { rows } = await db.query(
    `SELECT f.kind, v.version, v.policy, v.created_at
     FROM (SELECT $1::text AS id) q
     LEFT JOIN facilities f ON f.id = q.id
     LEFT JOIN LATERAL (
       SELECT version, policy, created_at FROM coverage_policy_versions
       WHERE facility_id = q.id AND ($2::int IS NULL OR version = $2)
       ORDER BY version DESC LIMIT 1
     ) v ON true`,
    [facility, version ?? null],
  );
  const row = rows[0];
  const fallback = { facility, version: 0, policy: defaultPolicy(row.kind), createdAt: null };
  if (version === 0) return fallback;
  if (version !== undefined && (row.version === null || row.policy === null)) {
    const what = row.version !== null ? 'is the deletion of its policy' : 'does not exist';
    throw RegistryNotFound(`coverage policy version ${version} of facility ${facility} ${what}`);
  }
  if (row.version === null || row.policy === null) return fallback;
  return { facility, version: row.version, policy: parsePolicy(row.policy), createdAt: row.created_at.toISOString() };
}

/** A stored version as listed: `policy` is null for a deletion (the default applied from then on). */
export interface ListedPolicyVersion {
  version: number;
  policy: CoveragePolicy | null;
  createdAt: string;
}

/** Every stored version of a facility's policy and every deletion, oldest first (the default, version 0, is implied). */
export async function listCoveragePolicyVersions(db: Queryable, facility: string): Promise<ListedPolicyVersion[]> {
  const { rows } = await db.query(
    'SELECT version, policy, created_at FROM coverage_policy_versions WHERE facility_id = $1 ORDER BY version',
    [facility],
  );
  return rows.map((r) => ({
    version: r.version,
    policy: r.policy === null ? null : parsePolicy(r.policy),
    createdAt: r.created_at.toISOString(),
  }));
}
