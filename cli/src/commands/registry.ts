import type { Command } from 'commander';
import { addFacility, addLocation, addResident } from '@vigil/store';
import { CARE_LEVELS, LOCATION_KINDS } from '@vigil/protocol';
import { output, withDatabase } from '../context.js';

/** `vigil facility|location|resident add`. */
export function registerRegistry(program: Command): void {
  program
    .command('facility')
    .description('facilities')
    .command('add')
    .description('register a facility')
    .requiredOption('--id <id>', 'facility id')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--region <region>', 'region id (regulators are scoped to regions)')
    .requiredOption('--timezone <zone>', 'IANA time zone, e.g. Europe/Berlin (night windows are judged in it)')
    .option('--json', 'print JSON')
    .action(async (o) =>
      withDatabase(async (db) => {
        await addFacility(db, { id: o.id, name: o.name, region: o.region, timezone: o.timezone });
        output(o.json, { id: o.id }, `facility ${o.id} added`);
      }),
    );

  program
    .command('location')
    .description('places in a facility')
    .command('add')
    .description('register a location')
    .requiredOption('--facility <id>', 'facility id')
    .requiredOption('--id <id>', 'location id')
    .requiredOption('--kind <kind>', LOCATION_KINDS.join('|'))
    .option('--name <name>', 'display name')
    .option('--json', 'print JSON')
    .action(async (o) =>
      withDatabase(async (db) => {
        await addLocation(db, { facility: o.facility, id: o.id, kind: o.kind, name: o.name });
        output(o.json, { id: o.id }, `location ${o.facility}/${o.id} added`);
      }),
    );

  program
    .command('resident')
    .description('residents')
    .command('add')
    .description('register a resident')
    .requiredOption('--facility <id>', 'facility id')
    .requiredOption('--id <id>', 'resident id')
    .requiredOption('--care-level <level>', CARE_LEVELS.join('|'))
    .option('--name <name>', 'name (never shown to regulators)')
    .option('--fall-risk [level]', 'at-risk (default when given) or high')
    .option('--wander-risk', 'the resident is at risk of wandering')
    .option('--location <id>', "the resident's room")
    .option('--json', 'print JSON')
    .action(async (o) =>
      withDatabase(async (db) => {
        const fallRisk = o.fallRisk === undefined ? 'none' : o.fallRisk === true ? 'at-risk' : o.fallRisk;
        await addResident(db, {
          facility: o.facility,
          id: o.id,
          name: o.name,
          careLevel: o.careLevel,
          fallRisk,
          wanderRisk: Boolean(o.wanderRisk),
          location: o.location,
        });
        output(o.json, { id: o.id }, `resident ${o.facility}/${o.id} added`);
      }),
    );
}
