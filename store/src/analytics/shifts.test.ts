import { describe, expect, it } from 'vitest';
import { DEFAULT_SHIFTS, facilityShiftsSchema } from './shifts.js';

const shift = (id: string, starts: string, ends: string) => ({ id, name: id, starts, ends });
const problems = (shifts: unknown) => {
  const result = facilityShiftsSchema.safeParse(shifts);
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe('facility shifts tile the day', () => {
  it('accepts the defaults, in any order, and a single shift for the whole day', () => {
    expect(problems(DEFAULT_SHIFTS)).toEqual([]);
    expect(problems([...DEFAULT_SHIFTS].reverse())).toEqual([]);
    expect(problems([shift('all', '07:00', '07:00')])).toEqual([]);
  });

  it('refuses a gap, an overlap, repeated ids and repeated starts', () => {
    expect(problems([shift('day', '08:00', '19:00'), shift('night', '20:00', '08:00')])).toEqual([
      expect.stringMatching(/^shift day ends at 19:00, but the next shift \(night\) starts at 20:00/),
    ]);
    expect(problems([shift('day', '08:00', '21:00'), shift('night', '20:00', '08:00')])).toHaveLength(1);
    expect(problems([shift('a', '08:00', '20:00'), shift('a', '20:00', '08:00')])).toEqual([
      'shift ids must be unique',
    ]);
    expect(problems([shift('a', '08:00', '08:00'), shift('b', '08:00', '08:00')])).not.toEqual([]);
    expect(problems([shift('a', '8:00', '20:00')])).not.toEqual([]);
    expect(problems([])).not.toEqual([]);
  });
});
