import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addContact,
  getContact,
  getResidentInScope,
  iso,
  listContacts,
  removeContact,
  setContactEmail,
  updateContact,
  type Contact,
  type Principal,
} from '@vigil/store';
import { change } from '../audit.js';
import type { ApiContext, RouteOptions } from '../http.js';
import { NotFound } from '../errors.js';

const contactSchema = z.object({
  id: z.number().int(),
  facility: idSchema,
  resident: idSchema,
  name: z.string(),
  relation: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  /** When the contact agreed to be told of critical alerts; null: never told. */
  consentedAt: z.iso.datetime().nullable(),
});
const residentParams = z.object({ facility: idSchema, resident: idSchema });
const contactParams = residentParams.extend({ id: z.coerce.number().int().positive() });
const fields = {
  name: z.string().min(1).max(200),
  relation: z.string().min(1).max(50).describe('e.g. 女儿 (daughter)'),
  phone: z.string().min(1).max(50),
  email: z.email().describe('critical alerts are emailed here once consented'),
  consent: z
    .boolean()
    .describe('true: the contact agreed to be told of critical alerts (recorded now); false: withdrawn'),
};

const view = (c: Contact): z.infer<typeof contactSchema> => ({ ...c, consentedAt: iso(c.consentedAt) });

/** The resident, 404 when unknown or outside the token's scope. */
async function assertResident(ctx: ApiContext, p: Principal, facility: string, resident: string): Promise<void> {
  if (!(await getResidentInScope(ctx.db, p, facility, resident)))
    throw NotFound(`resident ${facility}/${resident} not found`);
}

/**
 * A resident's family contacts (`resident_contacts`), told of critical alerts once they consent (docs/homecare.md
 * "Family contacts"). Audit entries name the contact and its consent, never a phone number or address.
 */
export const contactRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/residents/:facility/:resident/contacts',
    {
      config: { action: 'dwellings' },
      schema: {
        tags: ['dwellings'],
        operationId: 'listResidentContacts',
        summary: 'A resident’s family contacts with their consent',
        description:
          'Staff of the station and admins (phone numbers and addresses of third parties: never regulators).',
        params: residentParams,
        response: { 200: z.object({ contacts: z.array(contactSchema) }) },
      },
    },
    async (request) => {
      const { facility, resident } = request.params;
      await assertResident(ctx, request.principal, facility, resident);
      return { contacts: (await listContacts(ctx.db, facility, resident)).map(view) };
    },
  );

  app.post(
    '/residents/:facility/:resident/contacts',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['dwellings'],
        operationId: 'createResidentContact',
        summary: 'Add a family contact of a resident',
        description: 'With `email`, the contact’s email endpoint is added too; told only once `consent` is true.',
        params: residentParams,
        body: z.object({
          name: fields.name,
          relation: fields.relation,
          phone: fields.phone.optional(),
          email: fields.email.optional(),
          consent: fields.consent.default(false),
        }),
        response: { 201: contactSchema },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { facility, resident } = request.params;
      const { consent, ...b } = request.body;
      await assertResident(ctx, p, facility, resident);
      const at = new Date(ctx.clock.now());
      const what = (id: number) => ({
        action: 'contact.create',
        facility,
        target: `contact:${id}`,
        details: { resident, consent },
      });
      const id = await change(ctx, p, what, async (tx) => {
        const contact = await addContact(tx, { facility, resident, ...b, consentedAt: consent ? at : undefined });
        await setContactEmail(tx, facility, contact, b.email ?? null, at);
        return contact;
      });
      return reply.status(201).send(view((await getContact(ctx.db, facility, resident, id))!));
    },
  );

  app.patch(
    '/residents/:facility/:resident/contacts/:id',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['dwellings'],
        operationId: 'updateResidentContact',
        summary: 'Change a contact: name, relation, phone, email (null clears), consent',
        description: 'A new email replaces the contact’s email endpoint; consent false stops every notification.',
        params: contactParams,
        body: z.object({
          name: fields.name.optional(),
          relation: fields.relation.optional(),
          phone: fields.phone.nullable().optional(),
          email: fields.email.nullable().optional(),
          consent: fields.consent.optional(),
        }),
        response: { 200: contactSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, resident, id } = request.params;
      const { consent, ...b } = request.body;
      await assertResident(ctx, p, facility, resident);
      const current = await getContact(ctx.db, facility, resident, id);
      if (!current) throw NotFound(`contact ${id} not found`);
      const at = new Date(ctx.clock.now());
      // Consenting again keeps the moment of the first consent.
      const consentedAt = consent === undefined ? undefined : consent ? (current.consentedAt ?? at) : null;
      const what = {
        action: 'contact.update',
        facility,
        target: `contact:${id}`,
        details: { resident, fields: Object.keys(request.body), ...(consent === undefined ? {} : { consent }) },
      };
      await change(ctx, p, what, async (tx) => {
        await updateContact(tx, facility, id, { ...b, consentedAt });
        if (b.email !== undefined) await setContactEmail(tx, facility, id, b.email, at);
      });
      return view((await getContact(ctx.db, facility, resident, id))!);
    },
  );

  app.delete(
    '/residents/:facility/:resident/contacts/:id',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['dwellings'],
        operationId: 'deleteResidentContact',
        summary: 'Remove a contact: never told again, phone and email erased',
        description: 'The contact stays as the record of past notifications, without consent, phone or email.',
        params: contactParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { facility, resident, id } = request.params;
      await assertResident(ctx, p, facility, resident);
      if (!(await getContact(ctx.db, facility, resident, id))) throw NotFound(`contact ${id} not found`);
      const what = { action: 'contact.delete', facility, target: `contact:${id}`, details: { resident } };
      await change(ctx, p, what, (tx) => removeContact(tx, facility, id, new Date(ctx.clock.now())));
      return reply.status(204).send(null);
    },
  );
};
