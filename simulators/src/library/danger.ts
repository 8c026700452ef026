import { around, HOUR, MINUTE, SECOND } from './build.js';
import type { LabelledScenario } from './types.js';
import { localTime, worldDevice } from './world.js';

/** The resident's own devices: what a scenario about r1 or r2 plays on. */
const R1 = ['wb-1', 'bm-1', 'btn-1'];
const R2 = ['wb-2', 'bm-2', 'door-2'];

const danger = (spec: Omit<Parameters<typeof around>[0], 'class'>) => around({ ...spec, class: 'danger' });

const falls = [
  { name: 'fall-r1-day', at: localTime(1, '10:20'), devices: R1, device: 'wb-1', resident: 'r1' },
  { name: 'fall-r1-night', at: localTime(2, '02:40'), devices: R1, device: 'wb-1', resident: 'r1' },
  { name: 'fall-r2-evening', at: localTime(3, '19:05'), devices: R2, device: 'wb-2', resident: 'r2' },
  { name: 'fall-r1-bathroom', at: localTime(4, '06:55'), devices: R1, device: 'wb-1', resident: 'r1' },
].map((f) =>
  danger({
    ...f,
    summary: 'a fall: the wristband reports it with high confidence',
    episodes: [{ device: f.device, scenario: 'fall' }],
    expect: [{ rule: 'fall', subject: `resident:${f.resident}`, priority: 'critical', withinMs: 10 * SECOND }],
  }),
);

const sos = [
  { name: 'sos-button-day', at: localTime(1, '15:30'), device: 'btn-1', scenario: 'sos', priority: 'critical' },
  { name: 'sos-button-night', at: localTime(2, '03:15'), device: 'btn-1', scenario: 'sos', priority: 'critical' },
  { name: 'sos-wristband', at: localTime(3, '11:00'), device: 'wb-1', scenario: 'sos', priority: 'critical' },
  { name: 'sos-cancelled', at: localTime(4, '09:45'), device: 'btn-1', scenario: 'sos-cancel', priority: 'high' },
].map((s) =>
  danger({
    name: s.name,
    summary: `${s.scenario} on ${s.device}: an SOS is an alert even when cancelled (then high)`,
    at: s.at,
    devices: R1,
    episodes: [{ device: s.device, scenario: s.scenario }],
    expect: [
      { rule: 'sos', subject: 'resident:r1', priority: s.priority as 'critical' | 'high', withinMs: 10 * SECOND },
    ],
  }),
);

/** Vital signs of r1's wristband by day (the bed mat reads an empty bed), each a separate sign's alert. */
const vitals = [
  ['tachycardia-142', 'tachycardia', 'hr', 'high', { value: 142 }, 90],
  ['tachycardia-165-af', 'tachycardia', 'hr', 'high', { value: 165, durationMs: 4 * MINUTE }, 90],
  ['tachycardia-136-long', 'tachycardia', 'hr', 'high', { value: 136, durationMs: 10 * MINUTE }, 90],
  ['bradycardia-36', 'bradycardia', 'hr', 'high', { value: 36 }, 90],
  ['bradycardia-32-long', 'bradycardia', 'hr', 'high', { value: 32, durationMs: 5 * MINUTE }, 90],
  ['hypoxaemia-88', 'low-spo2', 'spo2', 'high', { value: 88 }, 90],
  ['hypoxaemia-87-long', 'low-spo2', 'spo2', 'high', { value: 87, durationMs: 6 * MINUTE }, 90],
  ['hypoxaemia-83-critical', 'low-spo2', 'spo2', 'critical', { value: 83, durationMs: 3 * MINUTE }, 60],
  ['hypoxaemia-78-critical', 'low-spo2', 'spo2', 'critical', { value: 78, durationMs: 2 * MINUTE }, 60],
] as const;

const vitalsCases = vitals.map(([name, scenario, sign, priority, options, withinS], i) =>
  danger({
    name,
    summary: `${scenario} (${JSON.stringify(options)}) on r1's wristband: vitals ${sign} ${priority}`,
    at: localTime(5 + i, '14:10'),
    devices: R1,
    episodes: [{ device: 'wb-1', scenario, options }],
    expect: [{ rule: 'vitals', subject: `resident:r1:${sign}`, priority, withinMs: withinS * SECOND }],
    // SpO2 91 % or less scores 3 in NEWS2: held 5 min, deterioration raises too, rightly.
    tolerate: [{ rule: 'deterioration' }],
  }),
);

const breathing = [
  ['tachypnoea-34', 34],
  ['bradypnoea-6', 6],
].map(([name, value]) =>
  danger({
    name: name as string,
    summary: `respiratory rate ${value} /min in bed, sustained 2 min: vitals rr high`,
    at: localTime(2, '23:30'),
    devices: R1,
    episodes: [{ device: 'bm-1', scenario: 'abnormal-breathing', options: { value: value as number } }],
    expect: [{ rule: 'vitals', subject: 'resident:r1:rr', priority: 'high', withinMs: 90 * SECOND }],
  }),
);

/**
 * NEWS2 before any vitals threshold: respiration rate 26 (scores 3) and SpO2 93 % (2) at night, 10 min; neither
 * crosses the vitals rule's > 30 /min or < 90 %. The 5-min sustain, the smoothing's ~40 s and 30 s of slack.
 */
const deterioration = danger({
  name: 'deterioration-rr26-spo2-93',
  summary: 'r1 in bed breathing 26 /min at SpO2 93 % for 10 min: deterioration high (NEWS2), no vitals alert',
  at: localTime(4, '00:40'),
  devices: R1,
  episodes: [
    { device: 'bm-1', scenario: 'abnormal-breathing', options: { value: 26, durationMs: 10 * MINUTE } },
    { device: 'wb-1', scenario: 'low-spo2', options: { value: 93, durationMs: 10 * MINUTE } },
  ],
  expect: [{ rule: 'deterioration', subject: 'resident:r1', priority: 'high', withinMs: 5 * MINUTE + 70 * SECOND }],
});

const bloodPressure = [
  ['hypertension-192', 192],
  ['hypertension-184', 184],
].map(([name, value]) =>
  danger({
    name: name as string,
    summary: `three spot readings 5 min apart at systolic ~${value} mmHg: vitals bp high by the second`,
    at: localTime(3, '09:00'),
    devices: R1,
    episodes: [
      { device: 'wb-1', scenario: 'bp-spot', options: { value: value as number } },
      { device: 'wb-1', scenario: 'bp-spot', options: { value: value as number }, afterMs: 5 * MINUTE },
      { device: 'wb-1', scenario: 'bp-spot', options: { value: value as number }, afterMs: 10 * MINUTE },
    ],
    expect: [{ rule: 'vitals', subject: 'resident:r1:bp', priority: 'high', withinMs: 11 * MINUTE }],
  }),
);

const bed = [
  ...[
    ['apnoea-in-bed', 'r1', R1, 'bm-1', '01:20', 1],
    ['apnoea-in-bed-r2', 'r2', R2, 'bm-2', '04:05', 3],
  ].map(([name, resident, devices, device, time, minutes]) =>
    danger({
      name: name as string,
      summary: `${resident} in bed, no pulse and no breathing for ${minutes} min: no_vitals_in_bed`,
      at: localTime(1, time as string),
      devices: devices as string[],
      episodes: [
        { device: device as string, scenario: 'no-vitals', options: { durationMs: (minutes as number) * MINUTE } },
      ],
      expect: [
        { rule: 'no_vitals_in_bed', subject: `resident:${resident}`, priority: 'critical', withinMs: 50 * SECOND },
      ],
      tolerate: [{ rule: 'vitals' }],
    }),
  ),
  ...[
    ['bed-exit-night-11min', '23:40', 11],
    ['bed-exit-night-25min', '03:10', 25],
  ].map(([name, time, minutes]) =>
    danger({
      name: name as string,
      summary: `r1 (at fall risk) out of bed at night for ${minutes} min: bed_exit_night after 10 min`,
      at: localTime(3, time as string),
      devices: R1,
      episodes: [{ device: 'bm-1', scenario: 'bed-exit', options: { durationMs: (minutes as number) * MINUTE } }],
      expect: [{ rule: 'bed_exit_night', subject: 'resident:r1', priority: 'high', withinMs: 11 * MINUTE }],
    }),
  ),
  danger({
    name: 'bed-exit-night-high-risk',
    summary: 'r2 (high fall risk) gets out of bed at night: bed_exit_night once the bed has stayed empty 15 s',
    at: localTime(4, '02:30'),
    devices: R2,
    episodes: [{ device: 'bm-2', scenario: 'bed-exit', options: { durationMs: 4 * MINUTE } }],
    // bedExitNight.confirmMs (15 s), judged on the mat's next sample: one bed-mat interval (30 s) later at most.
    expect: [{ rule: 'bed_exit_night', subject: 'resident:r2', priority: 'high', withinMs: 45 * SECOND }],
  }),
];

const doors = [
  ['wandering-exit-night', 'door-x', '02:05', 40, 'location:exit-1'],
  ['wandering-exit-late-evening', 'door-x', '22:40', 180, 'location:exit-1'],
  ['wandering-room-door', 'door-2', '01:50', 40, 'resident:r2'],
].map(([name, device, time, openS, subject]) =>
  danger({
    name: name as string,
    summary: `${device} opens at ${time} for ${openS} s: wandering for ${subject}`,
    at: localTime(2, time as string),
    devices: device === 'door-2' ? R2 : ['door-x'],
    episodes: [
      { device: device as string, scenario: 'wandering', options: { durationMs: (openS as number) * SECOND } },
    ],
    expect: [{ rule: 'wandering', subject: subject as string, priority: 'high', withinMs: 10 * SECOND }],
  }),
);

const inactivity = danger({
  name: 'inactivity-dwelling',
  summary: 'no movement in the home-care dwelling from 18:30 (13 h): inactivity once 12 h pass by day',
  at: localTime(1, '18:30'),
  devices: ['pir-d'],
  episodes: [{ device: 'pir-d', scenario: 'no-motion' }],
  expect: [
    { rule: 'inactivity', subject: 'location:dwelling-1', priority: 'warning', withinMs: 12 * HOUR + 15 * MINUTE },
  ],
  tailMs: 13 * HOUR,
});

/** Where a hazard detector's alert goes: its place for fire and gas, the monitor itself for electrical. */
const hazardSubject = (device: string) =>
  worldDevice(device).kind === 'electrical' ? `device:${device}` : `location:${worldDevice(device).location}`;

const M = MINUTE;
const hazards = [
  ['fire-room', 'smk-1', 'fire', {}, 'fire', 'critical', 90],
  ['fire-kitchen-slow', 'smk-k', 'fire', { durationMs: 6 * M }, 'fire', 'critical', 300],
  ['co-leak-260', 'gas-k', 'gas-leak', {}, 'gas', 'critical', 180],
  ['co-320-vented', 'gas-k', 'gas-leak', { value: 320, durationMs: 5 * M }, 'gas', 'critical', 300],
  // EN 50291-1: critical once the 10-min mean reaches 100 ppm, here about 38 min into the rise.
  ['co-120-rising', 'gas-k', 'gas-leak', { value: 120, durationMs: 40 * M }, 'gas', 'critical', 2400],
  ['lpg-leak', 'gas-k', 'lel-leak', {}, 'gas', 'critical', 180],
  ['lpg-leak-small', 'gas-k', 'lel-leak', { value: 14, durationMs: 4 * M }, 'gas', 'high', 240],
  ['insulation-fault', 'elec-1', 'electrical', {}, 'electrical', 'high', 60],
  ['insulation-fault-420', 'elec-1', 'electrical', { value: 420, durationMs: 4 * M }, 'electrical', 'high', 60],
  ['cable-overheat', 'elec-1', 'electrical', { value: 5, durationMs: 4 * M }, 'electrical', 'high', 300],
] as const;

const hazardCases = hazards.map(([name, device, scenario, options, rule, priority, withinS], i) =>
  danger({
    name,
    summary: `${scenario} (${JSON.stringify(options)}) on ${device}: ${rule} ${priority}`,
    at: localTime(1 + i, '16:20'),
    devices: [device],
    episodes: [{ device, scenario, options }],
    expect: [{ rule, subject: hazardSubject(device), priority, withinMs: withinS * SECOND }],
    // The aftermath follows the episode's end, however long it lasts.
    tailMs: 30 * MINUTE + ('durationMs' in options ? options.durationMs : 0),
  }),
);

/** The bedside access point fails: six devices' Last Wills at once make one connectivity alert (deadline as a Last Will's). */
const accessPoint = danger({
  name: 'access-point-down',
  summary: "the access point by r1's and r2's rooms fails: six devices' Last Wills, one connectivity alert",
  at: localTime(5, '11:15'),
  devices: [...R1, ...R2],
  episodes: [...R1, ...R2].map((device) => ({ device, scenario: 'offline', options: { durationMs: 10 * MINUTE } })),
  expect: [{ rule: 'connectivity', subject: 'facility', priority: 'high', withinMs: 70 * SECOND }],
  tailMs: 45 * MINUTE,
});

/** A Last Will raises after `deviceOffline.willGraceMs` and `connectivity.windowMs` (30 s each), plus 10 s as for events. */
const WILL_S = 70;
const health = [
  ['offline-wristband', 'wb-1', R1, 'offline', {}, 'device_offline', 'warning', WILL_S],
  ['offline-smoke', 'smk-1', ['smk-1'], 'offline', { durationMs: 20 * MINUTE }, 'device_offline', 'high', WILL_S],
  ['offline-bedmat-dependent', 'bm-2', R2, 'offline', { durationMs: 10 * MINUTE }, 'device_offline', 'high', WILL_S],
  ['silent-wristband', 'wb-1', R1, 'network-blip', { durationMs: 15 * MINUTE }, 'device_offline', 'warning', 240],
  ['low-battery-wristband', 'wb-1', R1, 'low-battery', {}, 'low_battery', 'warning', 30],
  ['low-battery-smoke', 'smk-k', ['smk-k'], 'low-battery', { value: 9 }, 'low_battery', 'high', 30],
  ['band-removed', 'wb-1', R1, 'band-removed', {}, 'band_not_worn', 'warning', 33 * 60],
  ['band-left-off', 'wb-2', R2, 'band-off', {}, 'band_not_worn', 'warning', 33 * 60],
] as const;

const healthCases = health.map(([name, device, devices, scenario, options, rule, priority, withinS], i) =>
  danger({
    name,
    summary: `${scenario} (${JSON.stringify(options)}) on ${device}: ${rule} ${priority}`,
    at: localTime(2 + i, '13:00'),
    devices,
    episodes: [{ device, scenario, options }],
    expect: [{ rule, subject: `device:${device}`, priority, withinMs: withinS * SECOND }],
    tailMs: 45 * MINUTE,
  }),
);

/** Dangerous events: each must raise its alert, in time. */
export const DANGER: readonly LabelledScenario[] = [
  ...falls,
  ...sos,
  ...vitalsCases,
  ...breathing,
  deterioration,
  ...bloodPressure,
  ...bed,
  ...doors,
  inactivity,
  ...hazardCases,
  ...healthCases,
  accessPoint,
];
