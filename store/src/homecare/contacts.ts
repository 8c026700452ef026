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

/** A resident's contacts, removed ones left out. */
export async function listContacts(db: Queryable, facility: string, resident: string): Promise<Contact[]> {
  const { rows } = await db.query<Contact>(
    `SELECT ${CONTACT_COLUMNS} FROM resident_contacts
     WHERE facility_id = $1 AND resident_id = $2 AND removed_at IS NULL ORDER BY id`,
    [facility, resident],
  );
  return rows;
}

export async function getContact(
  db: Queryable,
  facility: string,
  resident: string,
  id: number,
): Promise<Contact | null> {
  const { rows } = await db.query<Contact>(
    `SELECT ${CONTACT_COLUMNS} FROM resident_contacts
     WHERE facility_id = $1 AND resident_id = $2 AND id = $3 AND removed_at IS NULL`,
    [facility, resident, id],
  );
  return rows[0] ?? null;
}

export const contactChangeSchema = contactInputSchema
  .pick({ name: true, relation: true })
  .partial()
  .extend({
    phone: z.string().max(50).nullable().optional(),
    email: z.email().nullable().optional(),
    consentedAt: z.date().nullable().optional(),
  });
export type ContactChange = z.input<typeof contactChangeSchema>;

/** Changes what is given of a contact (null clears); false when there is no such contact. */
export async function updateContact(
  db: Queryable,
  facility: string,
  id: number,
  change: ContactChange,
): Promise<boolean> {
  const c = contactChangeSchema.parse(change);
  const { rowCount } = await db.query(
    `UPDATE resident_contacts SET name = COALESCE($2, name), relation = COALESCE($3, relation),
       phone = CASE WHEN $4 THEN $5 ELSE phone END, email = CASE WHEN $6 THEN $7 ELSE email END,
       consented_at = CASE WHEN $8 THEN $9 ELSE consented_at END
     WHERE id = $1 AND facility_id = $10 AND removed_at IS NULL`,
    [
      id,
      c.name ?? null,
      c.relation ?? null,
      c.phone !== undefined,
      c.phone ?? null,
      c.email !== undefined,
      c.email ?? null,
      c.consentedAt !== undefined,
      c.consentedAt ?? null,
      facility,
    ],
  );
  return rowCount === 1;
}

/**
 * The contact's email endpoint follows its address: the old one is disabled, a new one added for `email` (none for
 * null). Run it in the transaction that wrote the address.
 */
export async function setContactEmail(
  db: Queryable,
  facility: string,
  contact: number,
  email: string | null,
  at: Date,
): Promise<void> {
  await db.query(
    `UPDATE notification_endpoints SET disabled_at = $2
     WHERE contact_id = $1 AND channel = 'email' AND disabled_at IS NULL`,
    [contact, at],
  );
  if (email)
    await db.query(
      `INSERT INTO notification_endpoints (facility_id, contact_id, channel, target) VALUES ($1, $2, 'email', $3)`,
      [facility, contact, JSON.stringify({ email })],
    );
}

/**
 * Removes a contact: kept (past deliveries name its endpoints) with consent withdrawn and phone and email erased, and
 * every endpoint of it disabled, so it is never told again. False when there is no such contact.
 */
export async function removeContact(db: Queryable, facility: string, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE resident_contacts SET removed_at = $2, consented_at = NULL, phone = NULL, email = NULL
     WHERE id = $1 AND facility_id = $3 AND removed_at IS NULL`,
    [id, at, facility],
  );
  if (rowCount !== 1) return false;
  await db.query('UPDATE notification_endpoints SET disabled_at = $2 WHERE contact_id = $1 AND disabled_at IS NULL', [
    id,
    at,
  ]);
  return true;
}
