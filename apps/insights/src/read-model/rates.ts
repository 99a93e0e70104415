import { garwoodPoissonInterval, wilsonInterval, type Interval } from '@smp/statistics';

export interface Rate {
  /** Reports per 1,000 procedures; null without procedures. */
  ratePer1000: number | null;
  /** 95% interval per 1,000 procedures; null without procedures. */
  ci95: Interval | null;
}

const PER = 1000;

/** Rounds for display: rates to 3 decimals are plenty for people and for charts. */
export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

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
