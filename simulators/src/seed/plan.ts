import type { DeviceInput, FacilityInput, LocationInput, ResidentInput } from '@vigil/store';
import { ID_PATTERN, type CareLevel } from '@vigil/protocol';
import { SimInvalidOptions } from '../errors.js';

export interface DemoOptions {
  /** Facility id; device ids are prefixed with it (device ids are global). Default `demo`. */
  facility?: string;
  residents: number;
  /** IANA zone for a new facility (night windows are judged in it). Default Asia/Shanghai. */
  timezone?: string;
  region?: string;
  name?: string;
}

export interface DemoPlan {
  facility: FacilityInput;
  locations: LocationInput[];
  residents: ResidentInput[];
  devices: DeviceInput[];
}

type Profile = { careLevel: CareLevel; fallRisk: 'none' | 'at-risk' | 'high'; wanderRisk: boolean };
const S = 'self-care';
const SEMI = 'semi-dependent';
const FULL = 'fully-dependent';
/**
 * A care home's usual mix, repeated every ten residents: 4 self-care, 4 semi- and 2 fully dependent;
 * 6 with a fall risk (2 high), 3 at risk of wandering.
 */
const PROFILES: Profile[] = [
  { careLevel: S, fallRisk: 'none', wanderRisk: false },
  { careLevel: SEMI, fallRisk: 'at-risk', wanderRisk: false },
  { careLevel: FULL, fallRisk: 'high', wanderRisk: false },
  { careLevel: S, fallRisk: 'at-risk', wanderRisk: false },
  { careLevel: SEMI, fallRisk: 'none', wanderRisk: true },
  { careLevel: S, fallRisk: 'none', wanderRisk: false },
  { careLevel: SEMI, fallRisk: 'high', wanderRisk: true },
  { careLevel: FULL, fallRisk: 'at-risk', wanderRisk: false },
  { careLevel: S, fallRisk: 'none', wanderRisk: true },
  { careLevel: SEMI, fallRisk: 'at-risk', wanderRisk: false },
];
/** The demo is a Chinese care home: residents' names as their generation has them (surname first, no space). */
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马'];
const GIVEN = ['秀英', '建国', '桂兰', '德明', '淑珍', '志强', '玉梅', '国华', '凤英', '振华', '素芳'];
/** The demo's i-th resident's name (distinct for the first 143). */
export const demoResidentName = (i: number) =>
  `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]}`;
/** Rooms numbered by floor as Chinese homes do: 101 房 … 120 房, then 201 房 … */
const ROOMS_PER_FLOOR = 20;
const roomName = (i: number) => `${(Math.floor(i / ROOMS_PER_FLOOR) + 1) * 100 + (i % ROOMS_PER_FLOOR) + 1} 房`;

const ceilDiv = (a: number, b: number) => Math.max(1, Math.ceil(a / b));
const numbered = (prefix: string, count: number, width = 1) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);

/**
 * The demo facility as data: a room per resident, a bathroom per four rooms, a kitchen per twenty
 * residents, a corridor per ten rooms, two exits and a distribution board per thirty rooms, with the
 * devices docs/ARCHITECTURE.md "Coverage audit" requires: smoke in every room (and kitchen and corridor), gas in
 * every kitchen, electrical monitoring on every board, a bed mat and call button for every semi- or
 * fully dependent resident, a wristband for every resident with a fall or wander risk, a door sensor on
 * every exit, and a motion sensor in every corridor.
 */
export function demoPlan(options: DemoOptions): DemoPlan {
  const id = options.facility ?? 'demo';
  const n = options.residents;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw SimInvalidOptions('residents must be 1 to 10000');
  const width = Math.max(3, String(n).length);
  const facility: FacilityInput = {
    id,
    name: options.name ?? `松鹤养老院（${id}）`,
    region: options.region ?? 'demo',
    timezone: options.timezone ?? 'Asia/Shanghai',
  };
  const rooms = numbered('room', n, width);
  const kitchens = numbered('kitchen', ceilDiv(n, 20));
  const corridors = numbered('corridor', ceilDiv(n, 10));
  const boards = numbered('board', ceilDiv(n, 30));
  const exits = ['exit-main', 'exit-garden'];
  const locations: LocationInput[] = [
    ...rooms.map((l, i) => ({ facility: id, id: l, kind: 'room' as const, name: roomName(i) })),
    ...numbered('bath', ceilDiv(n, 4), 2).map((l, i) => ({
      facility: id,
      id: l,
      kind: 'bathroom' as const,
      name: `${i + 1} 号卫生间`,
    })),
    ...kitchens.map((l, i) => ({ facility: id, id: l, kind: 'kitchen' as const, name: `${i + 1} 号厨房` })),
    ...corridors.map((l, i) => ({ facility: id, id: l, kind: 'corridor' as const, name: `${i + 1} 号走廊` })),
    ...exits.map((l, i) => ({ facility: id, id: l, kind: 'exit' as const, name: ['正门', '花园门'][i] })),
    ...boards.map((l, i) => ({ facility: id, id: l, kind: 'board' as const, name: `${i + 1} 号配电箱` })),
  ];
  const residents: ResidentInput[] = numbered('res', n, width).map((r, i) => ({
    facility: id,
    id: r,
    name: demoResidentName(i),
    location: rooms[i],
    ...(PROFILES[i % PROFILES.length] as Profile),
  }));
  const device = (kind: DeviceInput['kind'], tag: string, where: { location?: string; resident?: string }) => ({
    facility: id,
    id: `${id}-${tag}`,
    kind,
    ...where,
  });
  const devices: DeviceInput[] = [
    ...[...rooms, ...kitchens, ...corridors].map((l) => device('smoke', `smk-${l}`, { location: l })),
    ...kitchens.map((l) => device('gas', `gas-${l}`, { location: l })),
    ...boards.map((l) => device('electrical', `elec-${l}`, { location: l })),
    ...exits.map((l) => device('door', `door-${l}`, { location: l })),
    ...corridors.map((l) => device('pir', `pir-${l}`, { location: l })),
    ...residents.flatMap((r) => {
      const where = { resident: r.id, location: r.location };
      const tag = r.id.slice(4);
      return [
        ...(r.careLevel !== 'self-care'
          ? [device('bedmat', `bm-${tag}`, where), device('button', `btn-${tag}`, where)]
          : []),
        ...((r.fallRisk ?? 'none') !== 'none' || r.wanderRisk ? [device('wristband', `wb-${tag}`, where)] : []),
      ];
    }),
  ];
  const tooLong = devices.find((d) => !ID_PATTERN.test(d.id));
  if (tooLong) throw SimInvalidOptions(`facility id ${id} is too long for device ids such as ${tooLong.id}`);
  return { facility, locations, residents, devices };
}
