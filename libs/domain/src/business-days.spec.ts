import { addBusinessDays } from './business-days.js';

describe(addBusinessDays.name, () => {
  it('skips weekends: 15 business days from Monday 2026-11-02 is Monday 2026-11-23', () => {
    // Counted on a calendar: Nov 3–6 (4), 9–13 (9), 16–20 (14), 23 (15).
    expect(addBusinessDays('2026-11-02', 15)).toBe('2026-11-23');
  });

  it('starts counting the next day when the case arrives at a weekend', () => {
    expect(addBusinessDays('2026-11-21', 1)).toBe('2026-11-23'); // Saturday → Monday
    expect(addBusinessDays('2026-11-20', 1)).toBe('2026-11-23'); // Friday → Monday
  });

  it('skips configured public holidays', () => {
    // Thanksgiving 2026-11-26 and the day after, as configured holidays.
    const holidays = new Set(['2026-11-26', '2026-11-27']);
    expect(addBusinessDays('2026-11-23', 5, holidays)).toBe('2026-12-02');
    expect(addBusinessDays('2026-11-23', 5)).toBe('2026-11-30');
  });

  it('keeps the date when zero days are added and refuses nonsense', () => {
    expect(addBusinessDays('2026-11-21', 0)).toBe('2026-11-21');
    expect(() => addBusinessDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-02-03', -1)).toThrow(RangeError);
  });
});
