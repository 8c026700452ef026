import { createRng, round, type Rng } from '../random.js';
import { HOUR, MINUTE, SECOND } from './build.js';
import type { Episode, LabelledScenario } from './types.js';
import { ALL_DEVICES, BEDSIDE, HAZARDS, localTime } from './world.js';

const NIGHTS = 12;
const DAYS = 3;

/** A moment between `from` and `to` hours after the start, on the minute. */
const between = (rng: Rng, from: number, to: number) => Math.round(rng.between(from, to) * 60) * MINUTE;

/**
 * What happens in an ordinary night, drawn per night: r1 (at fall risk) gets up to the toilet 0–2 times for
 * 3–8 min, walking briskly; a motion artefact on r1's band now and then; r2 (bed-bound, high fall risk) sleeps
 * restlessly some nights, with the pulse in the mid-40s in deep sleep on others; a spot blood pressure may be high.
 */
function nightEpisodes(rng: Rng): Episode[] {
  const episodes: Episode[] = [];
  const add = (device: string, atMs: number, scenario: string, options: Episode['options']) =>
    episodes.push({ device, atMs, scenario, options });
  for (let visits = rng.int(0, 2), i = 0; i < visits; i++) {
    const atMs = between(rng, 2 + i * 3.5, 4.5 + i * 3.5);
    add('bm-1', atMs, 'bed-exit', { durationMs: rng.int(3, 8) * MINUTE });
    add('wb-1', atMs + 20 * SECOND, 'tachycardia', { value: rng.int(100, 118), durationMs: 90 * SECOND });
  }
  if (rng.chance(0.35)) {
    add('wb-1', between(rng, 1, 9), 'spo2-artefact', {
      value: rng.int(78, 88),
      durationMs: rng.int(1, 3) * 2 * SECOND,
    });
  }
  if (rng.chance(0.4)) add('bm-2', between(rng, 1, 8), 'restless', { durationMs: rng.int(10, 25) * MINUTE });
  if (rng.chance(0.3)) {
    add('wb-2', between(rng, 2, 5), 'bradycardia', { value: rng.int(43, 47), durationMs: rng.int(20, 40) * MINUTE });
  }
  if (rng.chance(0.2)) add('wb-1', between(rng, 0.2, 0.8), 'bp-spot', { value: round(rng.between(181, 192)) });
  return episodes;
}

/** An ordinary day: meals cooked twice, a detector's self-test some days (door and motion traffic come from the models). */
function dayEpisodes(rng: Rng): Episode[] {
  const episodes: Episode[] = [
    { device: 'smk-k', atMs: between(rng, 4.5, 5), scenario: 'cooking', options: {} },
    {
      device: 'smk-k',
      atMs: between(rng, 10.3, 10.8),
      scenario: 'cooking',
      options: { durationMs: rng.int(20, 35) * MINUTE },
    },
  ];
  if (rng.chance(0.5)) episodes.push({ device: rng.pick(HAZARDS), atMs: between(rng, 2, 4), scenario: 'self-test' });
  return episodes.sort((a, b) => a.atMs - b.atMs);
}

const nights = Array.from({ length: NIGHTS }, (_, i): LabelledScenario => {
  const episodes = nightEpisodes(createRng(`normal-night-${i}`));
  return {
    name: `night-${String(i + 1).padStart(2, '0')}`,
    summary: `an ordinary night 21:00–07:00 for r1 and r2 (${episodes.map((e) => e.scenario).join(', ') || 'quiet'})`,
    class: 'normal',
    start: localTime(10 + i, '21:00'),
    durationMs: 10 * HOUR,
    devices: [...BEDSIDE, ...HAZARDS, 'door-x', 'pir-c'],
    residentNights: 2,
    episodes,
    expect: [],
    mustNot: [],
  };
});

const days = Array.from({ length: DAYS }, (_, i): LabelledScenario => {
  const episodes = dayEpisodes(createRng(`normal-day-${i}`));
  return {
    name: `day-${String(i + 1).padStart(2, '0')}`,
    summary: `an ordinary day 07:00–21:00, every device (${episodes.map((e) => e.scenario).join(', ')})`,
    class: 'normal',
    start: localTime(30 + i, '07:00'),
    durationMs: 14 * HOUR,
    devices: ALL_DEVICES,
    residentNights: 0,
    episodes,
    expect: [],
    mustNot: [],
  };
});

/** Ordinary resident-nights and days: every alert raised in them is a false alert. */
export const NORMAL: readonly LabelledScenario[] = [...nights, ...days];
