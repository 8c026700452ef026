import { z } from 'zod';
import { idSchema } from '@vigil/protocol';
import type { Queryable } from '@vigil/core';
import { registryError } from '../errors.js';

export const contactInputSchema = z.object({
  facility: idSchema,
  resident: idSchema,
  name: z.string().min(1).max(200),
  relation: z.string().min(1).max(50),
  phone: z.string().max(50).optional(),
  email: z.email().optional(),
  /** When the contact agreed to be told of critical alerts; absent: never told. */
  consentedAt: z.date().optional(),
});
export type ContactInput = z.input<typeof contactInputSchema>;

export interface Contact {
  id: number;
  facility: string;
  resident: string;
  name: string;
  relation: string;
  phone: string | null;
  email: string | null;
  consentedAt: Date | null;
}

const CONTACT_COLUMNS = `id::int AS id, facility_id AS facility, resident_id AS resident, name, relation, phone, email,
  consented_at AS "consentedAt"`;

/** Adds a family contact of a resident and returns its id. */
export async function addContact(db: Queryable, input: ContactInput): Promise<number> {
  const c = contactInputSchema.parse(input);
  const { rows } = await db
    .query<{ id: number }>(
      `INSERT INTO resident_contacts (facility_id, resident_id, name, relation, phone, email, consented_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id`,
      [c.facility, c.resident, c.name, c.relation, c.phone ?? null, c.email ?? null, c.consentedAt ?? null],
    )
    .catch((err) => registryError(err, `contact of ${c.facility}/${c.resident}`));
  return rows[0]!.id;
}

export async function listContacts(db: Queryable, facility: string, resident: string): Promise<Contact[]> {
  const { rows } = await db.query<Contact>(
    `SELECT ${CONTACT_COLUMNS} FROM resident_contacts WHERE facility_id = $1 AND resident_id = $2 ORDER BY id`,
    [facility, resident],
  );
  return rows;
}
