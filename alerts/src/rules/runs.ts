/**
 * Sustained conditions judged on the devices' own timestamps: samples are kept sorted by `ts`, so late and
 * out-of-order samples land where they happened. A run is a stretch of consecutive samples that all meet the
 * condition, with no gap between neighbours longer than `maxGapMs`; it is sustained once it spans `sustainMs`
 * and holds `minSamples` samples.
 */

export interface RunSpec {
  sustainMs: number;
  minSamples: number;
  maxGapMs: number;
  /** Samples older than the newest minus this are dropped (the newest `minSamples` are always kept). */
  horizonMs: number;
}

export interface RunResult {
  /** Device time at which each sustained run not reported before became sustained. */
  newRuns: number[];
  /** 'hit': the newest sample is in a sustained run; 'miss': it does not meet the condition; else 'pending'. */
  current: 'hit' | 'miss' | 'pending';
}

/**
 * A spec for a continuously measured value: samples further apart than `maxGapMs`, or than twice the device's
 * expected interval, do not make one run.
 */
export function continuousSpec(sustainMs: number, maxGapMs: number, expectedIntervalS: number): RunSpec {
  const gap = Math.max(maxGapMs, 2 * expectedIntervalS * 1000);
  return { sustainMs, minSamples: sustainMs > 0 ? 2 : 1, maxGapMs: gap, horizonMs: 2 * sustainMs + gap };
}

interface Sample {
  ts: number;
  hit: boolean;
}

export class RunTracker {
  private samples: Sample[] = [];
  /**
   * [first, last] device times of the sustained runs already reported: a run overlapping one is not new, so an
   * episode is reported once however often it is re-examined, grown, or split by a late calm sample.
   */
  private reported: Array<[number, number]> = [];
  /** Index of the earliest sample added since the last evaluation: runs before it have not changed. */
  private dirty = 0;
  private current: RunResult['current'] = 'pending';

  get newestTs(): number | undefined {
    return this.samples.at(-1)?.ts;
  }

  add(ts: number, hit: boolean): void {
    let i = this.samples.length;
    while (i > 0 && this.samples[i - 1]!.ts > ts) i--;
    // The same instant again is a redelivery or a correction: the later word wins.
    if (i > 0 && this.samples[i - 1]!.ts === ts) this.samples[--i] = { ts, hit };
    else this.samples.splice(i, 0, { ts, hit });
    this.dirty = Math.min(this.dirty, i);
  }

  evaluate(spec: RunSpec): RunResult {
    const samples = this.samples;
    let from = Math.min(this.dirty, samples.length);
    this.dirty = Infinity;
    // A change may extend or split the run just before it: re-examine from that run's start.
    while (from > 0 && samples[from - 1]!.hit) from--;
    const newRuns: number[] = [];
    const unchangedBefore = from < samples.length ? samples[from]!.ts : Infinity;
    const reported = this.reported.filter(([, last]) => last < unchangedBefore && last >= (samples[0]?.ts ?? Infinity));
    let i = from;
    while (i < samples.length) {
      if (!samples[i]!.hit) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < samples.length && samples[j + 1]!.hit && samples[j + 1]!.ts - samples[j]!.ts <= spec.maxGapMs) j++;
      const reachedAt = this.sustainedAt(i, j, spec);
      if (j === samples.length - 1) this.current = reachedAt === null ? 'pending' : 'hit';
      if (reachedAt !== null) {
        const first = samples[i]!.ts;
        const last = samples[j]!.ts;
        if (!this.reported.some(([a, b]) => a <= last && b >= first)) newRuns.push(reachedAt);
        reported.push([first, last]);
      }
      i = j + 1;
    }
    if (samples.length > 0 && !samples.at(-1)!.hit) this.current = 'miss';
    this.reported = reported;
    // Only after the new samples were judged: a late sample older than the horizon still counts once.
    this.prune(spec);
    return { newRuns, current: this.current };
  }

  /** Device time at which samples[from..to] became sustained, or null if it has not. */
  private sustainedAt(from: number, to: number, spec: RunSpec): number | null {
    const start = this.samples[from]!.ts;
    for (let k = from + spec.minSamples - 1; k <= to; k++) {
      if (this.samples[k]!.ts - start >= spec.sustainMs) return this.samples[k]!.ts;
    }
    return null;
  }

  /** Drops samples beyond the horizon. */
  private prune(spec: RunSpec): void {
    const newest = this.newestTs;
    if (newest === undefined) return;
    let drop = 0;
    const keep = Math.max(spec.minSamples, 2);
    while (this.samples.length - drop > keep && this.samples[drop]!.ts < newest - spec.horizonMs) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }
}
