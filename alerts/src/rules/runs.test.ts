import { describe, expect, it } from 'vitest';
import { RunTracker, type RunSpec } from './runs.js';

/** Reference: every run judged from scratch over all samples, each sustained run reported once. */
class Reference {
  private samples = new Map<number, boolean>();
  private reported: Array<[number, number]> = [];

  add(ts: number, hit: boolean) {
    this.samples.set(ts, hit);
  }

  evaluate(spec: RunSpec) {
    const sorted = [...this.samples].sort((a, b) => a[0] - b[0]);
    const newRuns: number[] = [];
    const runs: Array<[number, number]> = [];
    let current: 'hit' | 'miss' | 'pending' = 'pending';
    for (let i = 0; i < sorted.length; i++) {
      if (!sorted[i]![1]) continue;
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1]![1] && sorted[j + 1]![0] - sorted[j]![0] <= spec.maxGapMs) j++;
      const start = sorted[i]![0];
      let reached: number | null = null;
      for (let k = i + spec.minSamples - 1; k <= j && reached === null; k++) {
        if (sorted[k]![0] - start >= spec.sustainMs) reached = sorted[k]![0];
      }
      if (reached !== null) {
        const [first, last] = [start, sorted[j]![0]];
        if (!this.reported.some(([a, b]) => a <= last && b >= first)) newRuns.push(reached);
        runs.push([first, last]);
      }
      if (j === sorted.length - 1) current = reached === null ? 'pending' : 'hit';
      i = j;
    }
    if (sorted.length > 0 && !sorted.at(-1)![1]) current = 'miss';
    this.reported = runs;
    return { newRuns, current };
  }
}

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RunTracker', () => {
  const spec: RunSpec = { sustainMs: 60_000, minSamples: 2, maxGapMs: 30_000, horizonMs: Infinity };

  it.each(Array.from({ length: 40 }, (_, seed) => seed))('matches a from-scratch judgement, seed %i', (seed) => {
    const next = random(seed);
    const tracker = new RunTracker();
    const reference = new Reference();
    let clock = 0;
    for (let step = 0; step < 120; step++) {
      // Mostly in order, sometimes late (up to 2 min back), sometimes a gap; hits come in streaks.
      clock += next() < 0.1 ? 40_000 : 10_000;
      const ts = next() < 0.2 ? clock - Math.floor(next() * 120) * 1000 : clock;
      const hit = next() < (step % 30 < 15 ? 0.9 : 0.2);
      tracker.add(ts, hit);
      reference.add(ts, hit);
      expect(tracker.evaluate(spec), `step ${step}`).toEqual(reference.evaluate(spec));
    }
  });

  it('pruning keeps a long run sustained and reported once', () => {
    const tracker = new RunTracker();
    const bounded = { ...spec, horizonMs: 2 * spec.sustainMs + spec.maxGapMs };
    const reported: number[] = [];
    for (let s = 0; s <= 3600; s += 10) {
      tracker.add(s * 1000, true);
      const result = tracker.evaluate(bounded);
      reported.push(...result.newRuns);
      if (s >= 60) expect(result.current).toBe('hit');
    }
    expect(reported).toEqual([60_000]);
  });
});
