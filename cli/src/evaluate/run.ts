import { LIBRARY, type LabelledScenario } from '@vigil/simulators';
import { replayedAlerts } from './outcome.js';
import { replay } from './replay.js';
import { summarise, type Budget, type QualityReport } from './report.js';
import { scoreScenario } from './score.js';

export interface EvaluateOptions {
  seed: string;
  budget: Budget;
  /** Default: the whole library. */
  scenarios?: readonly LabelledScenario[];
  /** The facility's rule overrides to replay with (default: none, the documented defaults). */
  settings?: object;
}

/** Replays the labelled library one sample per message through the real engine and scores every scenario. */
export async function evaluateLibrary(options: EvaluateOptions): Promise<QualityReport> {
  const scores = [];
  for (const scenario of options.scenarios ?? LIBRARY) {
    const events = await replay(scenario, { name: 'single' }, options.seed, options.settings);
    scores.push(scoreScenario(scenario, replayedAlerts(events)));
  }
  return summarise(scores, options.seed, options.budget);
}
