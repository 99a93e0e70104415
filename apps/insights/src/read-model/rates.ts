import { garwoodPoissonInterval, wilsonInterval, type Interval } from '@smp/statistics';

export interface Rate {
  /** Reports per 1,000 procedures; null without procedures. */
  ratePer1000: number | null;
  /** 95% interval per 1,000 procedures; null without procedures. */
  ci95: Interval | null;
}

const PER = 1000;

/**
 * Rounds for display (rates to 3 decimals are plenty for people and for charts), exactly as Number(value.toFixed(digits))
 * does, without formatting and parsing a string for each of the thousands of figures in an answer: away from a tie,
 * Math.round of the scaled value picks the same integer as toFixed (the product's rounding error, below 1e-7 while
 * |scaled| < 1e8, cannot cross the half), and that integer divided by 10^digits is the double nearest the decimal
 * toFixed prints. Ties, huge values and non-finite ones go to toFixed itself.
 */
export function round(value: number, digits = 3): number {
  if (value === 0) return 0; // toFixed prints -0 as "0"
  const factor = 10 ** digits;
  const scaled = value * factor;
  if (Math.abs(scaled) < 1e8 && Math.abs(Math.abs(scaled - Math.trunc(scaled)) - 0.5) > 1e-7) return Math.round(scaled) / factor;
  return Number(value.toFixed(digits));
}

/**
 * The rate of `reports` in `procedures`, per 1,000, with its 95% interval:
 * Wilson's score interval for the proportion, or, when there are more reports
 * than recorded procedures (procedures not all recorded yet), the exact
 * Garwood interval of the count over the procedures, which still bounds a rate.
 */
export function rateOf(reports: number, procedures: number): Rate {
  if (procedures <= 0) return { ratePer1000: null, ci95: null };
  const interval = reports <= procedures ? wilsonInterval(reports, procedures)! : scaled(garwoodPoissonInterval(reports), 1 / procedures);
  return {
    ratePer1000: round((reports / procedures) * PER),
    ci95: { lower: round(interval.lower * PER), upper: round(interval.upper * PER) },
  };
}

/** A proportion as a rate per 1,000, or null. */
export const per1000 = (reports: number, procedures: number): number | null =>
  procedures > 0 ? round((reports / procedures) * PER) : null;

const scaled = (interval: Interval, factor: number): Interval => ({ lower: interval.lower * factor, upper: interval.upper * factor });
