import { isIsoDate } from './calendar.js';

/**
 * The date `days` business days after `from` (YYYY-MM-DD): weekends and the
 * given public holidays do not count. MoCRA's 15-business-day clock starts the
 * day the responsible party learns of the case, so `from` itself is day 0.
 */
export function addBusinessDays(from: string, days: number, holidays: ReadonlySet<string> = new Set()): string {
  if (!isIsoDate(from)) throw new RangeError(`not a date: ${from}`);
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`business days must be a non-negative integer, got ${days}`);
  const date = new Date(`${from}T00:00:00Z`);
  let remaining = days;
  while (remaining > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (holidays.has(date.toISOString().slice(0, 10))) continue;
    remaining--;
  }
  return date.toISOString().slice(0, 10);
}

/** Serious cases reach the regulator within 15 business days (MoCRA). */
export const SERIOUS_REPORTING_BUSINESS_DAYS = 15;
