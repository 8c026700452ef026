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

interface Sample {
  ts: number;
  hit: boolean;
}

export class RunTracker {
  private samples: Sample[] = [];
  /** Last-sample times of runs already reported, so a run is reported once however often it is re-examined. */
  private anchors: number[] = [];

  get newestTs(): number | undefined {
    return this.samples.at(-1)?.ts;
  }

  add(ts: number, hit: boolean): void {
    let i = this.samples.length;
    while (i > 0 && this.samples[i - 1]!.ts > ts) i--;
    // The same instant again is a redelivery or a correction: the later word wins.
    if (i > 0 && this.samples[i - 1]!.ts === ts) this.samples[i - 1] = { ts, hit };
    else this.samples.splice(i, 0, { ts, hit });
  }

  evaluate(spec: RunSpec): RunResult {
    this.prune(spec);
    const newRuns: number[] = [];
    const anchors: number[] = [];
    let current: RunResult['current'] = 'pending';
    const samples = this.samples;
    let i = 0;
    while (i < samples.length) {
      if (!samples[i]!.hit) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < samples.length && samples[j + 1]!.hit && samples[j + 1]!.ts - samples[j]!.ts <= spec.maxGapMs) j++;
      const reachedAt = this.sustainedAt(i, j, spec);
      if (reachedAt !== null) {
        const first = samples[i]!.ts;
        const last = samples[j]!.ts;
        if (!this.anchors.some((a) => a >= first && a <= last)) newRuns.push(reachedAt);
        anchors.push(last);
        if (j === samples.length - 1) current = 'hit';
      }
      i = j + 1;
    }
    if (samples.length > 0 && !samples.at(-1)!.hit) current = 'miss';
    this.anchors = anchors;
    return { newRuns, current };
  }

  /** Device time at which samples[from..to] became sustained, or null if it has not. */
  private sustainedAt(from: number, to: number, spec: RunSpec): number | null {
    const start = this.samples[from]!.ts;
    for (let k = from + spec.minSamples - 1; k <= to; k++) {
      if (this.samples[k]!.ts - start >= spec.sustainMs) return this.samples[k]!.ts;
    }
    return null;
  }

  private prune(spec: RunSpec): void {
    const newest = this.newestTs;
    if (newest === undefined) return;
    let drop = 0;
    const keep = Math.max(spec.minSamples, 2);
    while (this.samples.length - drop > keep && this.samples[drop]!.ts < newest - spec.horizonMs) drop++;
    if (drop > 0) this.samples = this.samples.slice(drop);
  }
}
