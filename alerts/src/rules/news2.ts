/**
 * The National Early Warning Score 2 (Royal College of Physicians, 2017), for the parameters Vigil's devices
 * measure: respiration rate, SpO2 (scale 1, or scale 2 for hypercapnic respiratory failure), systolic blood
 * pressure and pulse. Consciousness, supplemental oxygen and temperature are never measured, so every score is
 * partial (docs/rules.md "deterioration"). Values are scored as NEWS2 charts record them: whole numbers.
 */

/** A parameter's bands: the score of the first band whose upper bound (inclusive) the value does not exceed. */
type Bands = ReadonlyArray<readonly [upTo: number, score: number]>;

export const NEWS2_BANDS = {
  rr: [
    [8, 3],
    [11, 1],
    [20, 0],
    [24, 2],
    [Infinity, 3],
  ],
  spo2Scale1: [
    [91, 3],
    [93, 2],
    [95, 1],
    [Infinity, 0],
  ],
  // On air: Vigil cannot know about supplemental oxygen, under which 93 % and more would score 1 to 3.
  spo2Scale2: [
    [83, 3],
    [85, 2],
    [87, 1],
    [Infinity, 0],
  ],
  sbp: [
    [90, 3],
    [100, 2],
    [110, 1],
    [219, 0],
    [Infinity, 3],
  ],
  hr: [
    [40, 3],
    [50, 1],
    [90, 0],
    [110, 1],
    [130, 2],
    [Infinity, 3],
  ],
} as const satisfies Record<string, Bands>;

export function news2Score(bands: Bands, value: number): number {
  const whole = Math.round(value);
  for (const [upTo, score] of bands) if (whole <= upTo) return score;
  return 0;
}

/** NEWS2 clinical risk: an aggregate of 7 or more is high, 5–6 medium, a single parameter scoring 3 low-medium. */
export const NEWS2_HIGH_RISK_AT = 7;
export const NEWS2_MEDIUM_RISK_AT = 5;
export const NEWS2_SINGLE_PARAMETER_RED = 3;
