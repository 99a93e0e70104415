const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;

/** True when `value` is a real calendar date written YYYY-MM-DD (no 2026-02-30). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

/** True when `value` is a month written YYYY-MM. */
export function isIsoMonth(value: string): boolean {
  const match = ISO_MONTH.exec(value);
  if (!match) return false;
  const y = Number(match[1]);
  const m = Number(match[2]);
  return y >= 1900 && m >= 1 && m <= 12;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The month a date falls in, as YYYY-MM (the unit every incidence figure is counted by). */
export function monthOf(isoDate: string): string {
  return isoDate.slice(0, 7);
}

/** Today's date in UTC as YYYY-MM-DD. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
