import type { AlertRule } from '@vigil/protocol';
import { around, HOUR, MINUTE, SECOND } from './build.js';
import type { Episode, LabelledScenario } from './types.js';
import { ALL_DEVICES, localTime } from './world.js';

const R1 = ['wb-1', 'bm-1', 'btn-1'];
const R2 = ['wb-2', 'bm-2', 'door-2'];

interface Nuisance {
  name: string;
  summary: string;
  at: number;
  devices: readonly string[];
  episodes: ReadonlyArray<Omit<Episode, 'atMs'> & { afterMs?: number }>;
  /** The rules people see crying wolf on this. */
  mustNot: readonly AlertRule[];
  tailMs?: number;
}

const nuisance = (n: Nuisance): LabelledScenario =>
  around({ ...n, class: 'nuisance', mustNot: n.mustNot.map((rule) => ({ rule })) });

const on = (device: string, scenario: string, options?: Episode['options'], afterMs?: number) => ({
  device,
  scenario,
  ...(options ? { options } : {}),
  ...(afterMs ? { afterMs } : {}),
});

const artefacts = [
  ['spo2-artefact-82', { value: 82, durationMs: 2 * SECOND }],
  ['spo2-artefact-80-6s', { value: 80, durationMs: 6 * SECOND }],
  ['spo2-artefact-84-night', { value: 84, durationMs: 4 * SECOND }],
  ['spo2-artefact-75-single', { value: 75, durationMs: 0 }],
].map(([name, options], i) =>
  nuisance({
    name: name as string,
    summary: `SpO2 motion artefact (${JSON.stringify(options)}): seconds of an implausibly low reading while moving`,
    at: localTime(1 + i, i === 2 ? '02:20' : '10:40'),
    devices: R1,
    episodes: [on('wb-1', 'spo2-artefact', options as Episode['options'])],
    mustNot: ['vitals'],
  }),
);

const brief = [
  ['spo2-dip-40s', 'low-spo2', { value: 88, durationMs: 40 * SECOND }, 'a brief desaturation to 88 % for 40 s'],
  ['spo2-dip-sleep-89', 'low-spo2', { value: 89, durationMs: 50 * SECOND }, 'a 50 s dip to 89 % in sleep'],
  ['hr-spike-stairs', 'tachycardia', { value: 138, durationMs: 40 * SECOND }, 'pulse 138 for 40 s climbing stairs'],
  ['hr-spike-startle', 'tachycardia', { value: 150, durationMs: 30 * SECOND }, 'pulse 150 for 30 s, startled awake'],
  ['exercise-physio', 'tachycardia', { value: 124, durationMs: 20 * MINUTE }, 'physiotherapy: pulse ~124 for 20 min'],
  ['exercise-walk', 'tachycardia', { value: 118, durationMs: 30 * MINUTE }, 'a brisk walk: pulse ~118 for 30 min'],
  ['deep-sleep-hr-44', 'bradycardia', { value: 44, durationMs: 40 * MINUTE }, 'deep sleep: pulse ~44 for 40 min'],
  ['deep-sleep-hr-42', 'bradycardia', { value: 42, durationMs: 25 * MINUTE }, 'deep sleep: pulse ~42 for 25 min'],
  ['bp-single-high', 'bp-spot', { value: 186 }, 'one systolic reading of ~186 mmHg'],
  ['bp-single-very-high', 'bp-spot', { value: 198 }, 'one systolic reading of ~198 mmHg after walking'],
] as const;

const briefCases = brief.map(([name, scenario, options, what], i) =>
  nuisance({
    name,
    summary: `${what} (${scenario})`,
    at: localTime(2 + i, name.includes('sleep') ? '01:30' : '15:05'),
    devices: R1,
    episodes: [on('wb-1', scenario, options)],
    mustNot: ['vitals'],
    tailMs: ((options as Episode['options'])?.durationMs ?? 0) + 20 * MINUTE,
  }),
);

const nights = [
  ...[3, 5, 8].map((minutes, i) =>
    nuisance({
      name: `toilet-${minutes}min`,
      summary: `night toileting: r1 (at fall risk) out of bed ${minutes} min, pulse up walking`,
      at: localTime(3 + i, '02:10'),
      devices: R1,
      episodes: [
        on('bm-1', 'bed-exit', { durationMs: minutes * MINUTE }),
        on('wb-1', 'tachycardia', { value: 112, durationMs: 60 * SECOND }, 30 * SECOND),
      ],
      mustNot: ['bed_exit_night', 'vitals', 'no_vitals_in_bed'],
    }),
  ),
  ...['r1', 'r2'].map((resident, i) =>
    nuisance({
      name: `restless-sleep-${resident}`,
      summary: `restless sleep: ${resident} tossing and turning, the mat empty for a few seconds now and then`,
      at: localTime(4 + i, '00:40'),
      devices: resident === 'r1' ? R1 : R2,
      episodes: [on(resident === 'r1' ? 'bm-1' : 'bm-2', 'restless', { durationMs: 20 * MINUTE })],
      mustNot: ['bed_exit_night', 'vitals', 'no_vitals_in_bed'],
    }),
  ),
  ...[12, 22].map((minutes, i) =>
    nuisance({
      name: `shower-${minutes}min`,
      summary: `the band taken off for a ${minutes}-minute shower, then put back on`,
      at: localTime(5 + i, '07:40'),
      devices: R1,
      episodes: [on('wb-1', 'band-removed', { durationMs: minutes * MINUTE })],
      mustNot: ['band_not_worn', 'vitals'],
    }),
  ),
  nuisance({
    name: 'bed-exit-day',
    summary: 'r2 (high fall risk) up from an afternoon nap for 30 min: bed exits are watched at night only',
    at: localTime(7, '14:20'),
    devices: R2,
    episodes: [on('bm-2', 'bed-exit', { durationMs: 30 * MINUTE })],
    mustNot: ['bed_exit_night'],
    tailMs: 40 * MINUTE,
  }),
  nuisance({
    name: 'exit-door-day',
    summary: 'visitors through the exit door at 10:00: doors are watched at night only',
    at: localTime(8, '10:00'),
    devices: ['door-x'],
    episodes: [on('door-x', 'wandering', { durationMs: 25 * SECOND })],
    mustNot: ['wandering'],
  }),
  nuisance({
    name: 'fall-low-confidence',
    summary: 'the band knocked against a table: a fall event with confidence 0.4',
    at: localTime(6, '12:15'),
    devices: R1,
    episodes: [on('wb-1', 'fall', { value: 0.4 })],
    mustNot: ['fall'],
  }),
];

const hazards = [
  ...[
    ['cooking-lunch', '11:50', {}],
    ['cooking-stir-fry', '17:40', { value: 38, durationMs: 30 * MINUTE }],
  ].map(([name, time, options]) =>
    nuisance({
      name: name as string,
      summary: `cooking warmth and steam at the kitchen's smoke detector (${JSON.stringify(options)})`,
      at: localTime(2, time as string),
      devices: ['smk-k', 'gas-k'],
      episodes: [on('smk-k', 'cooking', options as Episode['options'])],
      mustNot: ['fire', 'gas'],
    }),
  ),
  ...['smk-1', 'gas-k', 'elec-1'].map((device, i) =>
    nuisance({
      name: `self-test-${device}`,
      summary: `the monthly self-test of ${device}: a test event, then clear`,
      at: localTime(3 + i, '10:00'),
      devices: [device],
      episodes: [on(device, 'self-test')],
      mustNot: ['fire', 'gas', 'electrical'],
    }),
  ),
  ...[120, 190].map((ma, i) =>
    nuisance({
      name: `leakage-${ma}mA`,
      summary: `natural leakage current ~${ma} mA on the board for 2 h (GB 50116: normal below 300 mA)`,
      at: localTime(4 + i, '18:00'),
      devices: ['elec-1'],
      episodes: [on('elec-1', 'leakage', { value: ma })],
      mustNot: ['electrical'],
      tailMs: 2 * HOUR + 10 * MINUTE,
    }),
  ),
  ...[
    ['co-55-40min', 55, 40],
    ['co-60-30min', 60, 30],
  ].map(([name, ppm, minutes]) =>
    nuisance({
      name: name as string,
      summary: `CO creeping to ~${ppm} ppm over ${minutes} min (EN 50291: 50 ppm alarms only after 60–90 min)`,
      at: localTime(6, '18:20'),
      devices: ['gas-k'],
      episodes: [on('gas-k', 'gas-leak', { value: ppm as number, durationMs: (minutes as number) * MINUTE })],
      mustNot: ['gas'],
      tailMs: (minutes as number) * MINUTE + 20 * MINUTE,
    }),
  ),
];

const network = [
  ...[
    ['blip-wristband-5s', 'wb-1', 5],
    ['blip-bedmat-15s', 'bm-1', 15],
    ['blip-smoke-30s', 'smk-1', 30],
  ].map(([name, device, seconds]) =>
    nuisance({
      name: name as string,
      summary: `${device}'s link gone for ${seconds} s without a Last Will`,
      at: localTime(7, '09:30'),
      devices: device === 'smk-1' ? ['smk-1'] : R1,
      episodes: [on(device as string, 'network-blip', { durationMs: (seconds as number) * SECOND })],
      mustNot: ['device_offline'],
    }),
  ),
  ...[
    ['reconnect-wristband-8s', 'wb-1', 8],
    ['reconnect-door-20s', 'door-x', 20],
  ].map(([name, device, seconds]) =>
    nuisance({
      name: name as string,
      summary: `${device} resets its connection (the Last Will fires) and is back after ${seconds} s`,
      at: localTime(8, '14:45'),
      devices: device === 'door-x' ? ['door-x'] : R1,
      episodes: [on(device as string, 'offline', { durationMs: (seconds as number) * SECOND })],
      mustNot: ['device_offline'],
    }),
  ),
  nuisance({
    name: 'gateway-restart',
    summary: "the facility gateway restarts: every device's link gone 25–40 s, no Last Will (the broker itself went)",
    at: localTime(9, '03:30'),
    devices: ALL_DEVICES,
    episodes: ALL_DEVICES.map((device, i) =>
      on(device, 'network-blip', { durationMs: (25 + ((i * 7) % 15)) * SECOND }),
    ),
    mustNot: ['device_offline'],
  }),
];

/** Nuisances people see every week: each must raise nothing of what it lists. */
export const NUISANCE: readonly LabelledScenario[] = [...artefacts, ...briefCases, ...nights, ...hazards, ...network];
