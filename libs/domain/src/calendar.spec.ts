import { isIsoDate, isIsoMonth, monthOf } from './calendar.js';

describe('calendar', () => {
  it.each(['2026-02-28', '2024-02-29', '2026-12-31', '1999-01-01'])('accepts the real date %s', (date) => {
    expect(isIsoDate(date)).toBe(true);
  });

  it.each(['2026-02-29', '2026-02-30', '0000-00-00', '2026-13-01', '2026-1-1', '2026-01-01T00:00:00Z', ' 2026-01-01', ''])(
    'rejects %j',
    (date) => {
      expect(isIsoDate(date)).toBe(false);
    },
  );

  it('reads months and the month of a date', () => {
    expect(isIsoMonth('2026-07')).toBe(true);
    expect(isIsoMonth('2026-00')).toBe(false);
    expect(isIsoMonth('2026-7')).toBe(false);
    expect(monthOf('2026-07-31')).toBe('2026-07');
  });
});
