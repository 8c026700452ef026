import type { Command } from 'commander';
import { checkout, inTransaction } from '@vigil/core';
import {
  addContact,
  addDwelling,
  addHomeKit,
  addResident,
  addShift,
  setFacilityKind,
  setContactEmail,
  HOME_KIT,
} from '@vigil/store';
import { CARE_LEVELS } from '@vigil/protocol';
import { output, withDatabase } from '../context.js';

const date = (value: string) => new Date(value);

/** `vigil dwelling station|add|contact|shift`: home-care stations, their dwellings, families and duty (docs/homecare.md). */
export function registerDwelling(program: Command): void {
  const dwelling = program.command('dwelling').description('home care: stations, dwellings, family contacts, shifts');
  dwelling
    .command('station <facility>')
    .description('make a facility a home-care station: its places are dwellings, its alerts become work orders')
    .action(async (facility: string) =>
      withDatabase(async (db) => {
        await setFacilityKind(db, facility, 'home-care');
        console.log(`facility ${facility} is a home-care station`);
      }),
    );
  dwelling
    .command('add')
    .description('add a dwelling (and the resident living there); with --kit register its six devices at once')
    .requiredOption('--facility <id>', 'the station')
    .requiredOption('--id <id>', 'dwelling id (a location of kind dwelling)')
    .requiredOption('--address <text>', 'street address')
    .requiredOption('--district <text>', 'district or neighbourhood: staff on duty there are offered its orders')
    .option('--name <text>', 'display name')
    .option('--access <text>', 'how staff get in (key safe, neighbour, door code)')
    .option('--resident <id>', 'the resident living there (created with the dwelling)')
    .option('--resident-name <text>', "the resident's name")
    .option('--care-level <level>', CARE_LEVELS.join('|'), 'semi-dependent')
    .option('--kit', `register the home kit: ${HOME_KIT.map((k) => k.kind).join(', ')}`)
    .option('--json', 'print {"dwelling","devices":[{"id","kind","secret"}]}')
    .action(async (o) =>
      withDatabase(async (pool) => {
        const devices = await checkout(pool, (db) =>
          inTransaction(db, async () => {
            await addDwelling(db, {
              facility: o.facility,
              id: o.id,
              name: o.name,
              address: o.address,
              district: o.district,
              accessNote: o.access,
            });
            if (o.resident)
              await addResident(db, {
                facility: o.facility,
                id: o.resident,
                name: o.residentName,
                careLevel: o.careLevel,
                location: o.id,
              });
            return o.kit ? addHomeKit(db, { facility: o.facility, dwelling: o.id, resident: o.resident }) : [];
          }),
        );
        const lines = devices.map((d) => `  ${d.kind}\t${d.id}\t${d.secret}`);
        output(
          o.json,
          { dwelling: o.id, devices },
          [
            `dwelling ${o.facility}/${o.id} added`,
            ...(lines.length ? ['devices (secrets shown once):', ...lines] : []),
          ].join('\n'),
        );
      }),
    );
  dwelling
    .command('contact')
    .description("add a resident's family contact")
    .requiredOption('--facility <id>', 'the station')
    .requiredOption('--resident <id>', 'the resident')
    .requiredOption('--name <text>', "the contact's name")
    .requiredOption('--relation <text>', 'e.g. 女儿 / daughter')
    .option('--phone <text>', 'phone number')
    .option('--email <address>', 'email address: critical alerts are emailed there once consented')
    .option('--consent', 'the contact agreed to be told of critical alerts (recorded now)')
    .option('--json', 'print {"id"}')
    .action(async (o) =>
      withDatabase(async (pool) => {
        const id = await checkout(pool, (db) =>
          inTransaction(db, async () => {
            const contact = await addContact(db, {
              facility: o.facility,
              resident: o.resident,
              name: o.name,
              relation: o.relation,
              phone: o.phone,
              email: o.email,
              consentedAt: o.consent ? new Date() : undefined,
            });
            await setContactEmail(db, o.facility, contact, o.email ?? null, new Date());
            return contact;
          }),
        );
        output(o.json, { id }, `contact ${id} added${o.consent ? ' (consented)' : ''}`);
      }),
    );
  dwelling
    .command('shift')
    .description('put a staff member on duty: a user of the station, for a district or the whole station')
    .requiredOption('--facility <id>', 'the station')
    .requiredOption('--user <id>', 'the staff member (a user)')
    .requiredOption('--from <time>', 'ISO 8601 start', date)
    .requiredOption('--to <time>', 'ISO 8601 end', date)
    .option('--district <text>', 'the district covered (default: the whole station)')
    .option('--lead', 'the station lead: escalations go here')
    .option('--json', 'print {"id"}')
    .action(async (o) =>
      withDatabase(async (db) => {
        const id = await addShift(db, {
          facility: o.facility,
          user: o.user,
          startsAt: o.from,
          endsAt: o.to,
          district: o.district,
          lead: Boolean(o.lead),
        });
        output(o.json, { id }, `shift ${id} added`);
      }),
    );
}
