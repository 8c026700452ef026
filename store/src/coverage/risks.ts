import type { Queryable } from '@vigil/core';
import { z } from 'zod';
import { RegistryNotFound } from '../errors.js';

/** Residents' assessed risks: the nine preventions (九防) of GB 38600, as stored in `residents.risks`. */
export const RESIDENT_RISKS = [
  'falls',
  'falls-from-bed',
  'wandering',
  'choking',
  'aspiration',
  'scalds',
  'pressure-sores',
  'self-harm',
  'harm-by-others',
] as const;
export const residentRiskSchema = z.enum(RESIDENT_RISKS);
export type ResidentRisk = z.infer<typeof residentRiskSchema>;

/** Records a resident's assessed risks (the whole list; migration 0080's `residents.risks`). */
export async function setResidentRisks(db: Queryable, facility: string, resident: string, risks: ResidentRisk[]): Promise<void> {
  const list = z.array(residentRiskSchema).parse(risks);
  const { rowCount } = await db.query('UPDATE residents SET risks = $3 WHERE facility_id = $1 AND id = $2', [
    facility,
    resident,
    [...new Set(list)].sort(),
  ]);
  if (!rowCount) throw RegistryNotFound(`resident ${facility}/${resident} not found`);
}
