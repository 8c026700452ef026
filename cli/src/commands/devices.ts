import type { Command } from 'commander';
import {
  addDevice,
  listDevices,
  retireDevice,
  rotateDeviceSecret,
  upsertServiceAccount,
  SERVICE_ROLES,
} from '@vigil/store';
import { DEVICE_KINDS } from '@vigil/protocol';
import { output, withDatabase } from '../context.js';

/** `vigil device add|list|retire|rotate-secret` and `vigil service-account add` (docs/ARCHITECTURE.md "Interfaces that outside tools rely on"). */
export function registerDevices(program: Command): void {
  const device = program.command('device').description('the device registry: credentials the gateway checks');
  device
    .command('add')
    .description('register a device; prints its secret once (stored only as a sha256 hash)')
    .requiredOption('--facility <id>', 'facility id')
    .requiredOption('--id <id>', 'device id (also its MQTT client id and username)')
    .requiredOption('--kind <kind>', DEVICE_KINDS.join('|'))
    .option('--resident <id>', 'the resident who wears or uses it')
    .option('--location <id>', 'where it is installed')
    .option('--interval <seconds>', 'expected reporting interval (default per kind)', (v) => Number.parseInt(v, 10))
    .option('--json', 'print {"id","secret"}')
    .action(async (o) =>
      withDatabase(async (db) => {
        const created = await addDevice(db, {
          facility: o.facility,
          id: o.id,
          kind: o.kind,
          resident: o.resident,
          location: o.location,
          expectedIntervalS: o.interval,
        });
        output(o.json, created, `device ${created.id} added; secret (shown once): ${created.secret}`);
      }),
    );
  device
    .command('list')
    .description("list a facility's devices")
    .requiredOption('--facility <id>', 'facility id')
    .option('--all', 'include retired devices')
    .option('--json', 'print JSON')
    .action(async (o) =>
      withDatabase(async (db) => {
        const devices = await listDevices(db, o.facility, { includeRetired: Boolean(o.all) });
        const lines = devices.map(
          (d) =>
            `${d.id}\t${d.kind}\t${d.location ?? '-'}\t${d.resident ?? '-'}\t${d.retiredAt ? 'retired' : d.online ? 'online' : 'offline'}`,
        );
        output(o.json, devices, lines.join('\n') || '(no devices)');
      }),
    );
  device
    .command('retire <id>')
    .description('retire a device: refused at its next connect, history kept')
    .action(async (id: string) =>
      withDatabase(async (db) => void (await retireDevice(db, id), console.log(`device ${id} retired`))),
    );
  device
    .command('rotate-secret <id>')
    .description('issue a new secret for a device; prints it once')
    .option('--json', 'print {"id","secret"}')
    .action(async (id: string, o) =>
      withDatabase(async (db) => {
        const rotated = await rotateDeviceSecret(db, id);
        output(o.json, rotated, `device ${id}: new secret (shown once): ${rotated.secret}`);
      }),
    );

  program
    .command('service-account')
    .description("broker accounts of Vigil's own services")
    .command('add')
    .description('create a service account (or give it a new secret); prints the secret once')
    .requiredOption('--id <id>', 'account id (the MQTT username)')
    .requiredOption('--role <role>', SERVICE_ROLES.join('|'))
    .option('--json', 'print {"id","secret"}')
    .action(async (o) =>
      withDatabase(async (db) => {
        const account = await upsertServiceAccount(db, o.id, o.role);
        output(o.json, account, `service account ${o.id}: secret (shown once): ${account.secret}`);
      }),
    );
}
