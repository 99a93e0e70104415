import { CASE_ID_PATTERN, formatCaseId } from './case-id.js';

describe(formatCaseId.name, () => {
  it('pads the sequence to six digits and keeps larger ones whole', () => {
    expect(formatCaseId(2026, 42)).toBe('SMP-2026-000042');
    expect(formatCaseId(2027, 1_234_567)).toBe('SMP-2027-1234567');
    expect(formatCaseId(2026, 42)).toMatch(CASE_ID_PATTERN);
  });

  it('refuses a sequence that is not a positive integer', () => {
    expect(() => formatCaseId(2026, 0)).toThrow(RangeError);
    expect(() => formatCaseId(2026, 1.5)).toThrow(RangeError);
  });
});
