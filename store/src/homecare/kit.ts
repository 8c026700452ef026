import type { DeviceKind } from '@vigil/protocol';
import type { Queryable } from '@vigil/core';
import { addDevice } from '../registry/devices.js';

/**
 * The home kit of a family care bed (家庭养老床位), which is also home care's coverage rule: every dwelling has
 * these six devices, the ones marked `resident` assigned to the resident living there (docs/homecare.md "Home kit").
 */
export const HOME_KIT: readonly { kind: DeviceKind; suffix: string; resident: boolean }[] = [
  { kind: 'button', suffix: 'sos', resident: true },
  { kind: 'pir', suffix: 'pir', resident: false },
  { kind: 'bedmat', suffix: 'bed', resident: true },
  { kind: 'door', suffix: 'door', resident: false },
  { kind: 'smoke', suffix: 'smoke', resident: false },
  { kind: 'gas', suffix: 'gas', resident: false },
];

/**
 * Registers a dwelling's home kit, ids `<dwelling>-<suffix>`, and returns each device's secret (shown once). Run it
 * in a transaction: a kit is registered whole or not at all.
 */
export async function addHomeKit(
  db: Queryable,
  kit: { facility: string; dwelling: string; resident?: string },
): Promise<{ id: string; kind: DeviceKind; secret: string }[]> {
  const devices: { id: string; kind: DeviceKind; secret: string }[] = [];
  for (const item of HOME_KIT) {
    const { id, secret } = await addDevice(db, {
      facility: kit.facility,
      id: `${kit.dwelling}-${item.suffix}`,
      kind: item.kind,
      location: kit.dwelling,
      resident: item.resident ? kit.resident : undefined,
    });
    devices.push({ id, kind: item.kind, secret });
  }
  return devices;
}
