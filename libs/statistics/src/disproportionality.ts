/**
 * Disproportionality measures for pigment safety signals, as used in
 * pharmacovigilance. From the 2×2 table of reports
 *
 *                      this category   other categories
 *   this pigment             a                b
 *   other pigments           c                d
 *
 * each measure asks whether the category is reported for this pigment more
 * often than for the others.
 */
import { gammaQuantile } from './special-functions.js';
import { assertCount } from './validate.js';

export interface ContingencyTable {
  a: number;
  b: number;
  c: number;
  d: number;
}

/** A ratio with its two-sided 95% interval. */
export interface RatioEstimate {
  estimate: number;
  lower: number;
  upper: number;
}

/** Information component with its 95% credibility interval (lower = IC025, upper = IC975), on the log2 scale. */
export interface InformationComponent {
  /** E = (a + b)(a + c)/N, the count expected if pigment and category were independent. */
  expected: number;
  estimate: number;
  lower: number;
  upper: number;
}

export interface Disproportionality {
  /** N = a + b + c + d. */
  total: number;
  /** Proportional reporting ratio; null when a = 0 or c = 0. */
  prr: RatioEstimate | null;
  /** Yates-corrected χ² (1 df); null when a row or column of the table is empty. */
  chiSquare: number | null;
  /** Reporting odds ratio; null when any cell is 0. */
  ror: RatioEstimate | null;
  /** Always defined (the +0.5 shrinkage handles zero counts). */
  ic: InformationComponent;
  signals: {
    /** Evans criteria: PRR ≥ 2, χ² ≥ 4 and a ≥ 3. */
    prr: boolean;
    /** Lower 95% bound of the ROR above 1. */
    ror: boolean;
    /** IC025 above 0. */
    ic: boolean;
  };
}

const Z = 1.96;

/**
 * All three measures for one table.
 *
 * Zero cells: the frequentist ratios and their log-scale intervals break down
 * (a division by zero or the log of zero), and the answer is null rather
 * than 0, Infinity or NaN, so it can neither be charted nor pass a signal
 * threshold by accident. A null measure never signals. No continuity
 * correction is added: with zeros the IC, whose shrinkage was designed for
 * exactly that case, is the measure to read.
 */
export function disproportionality(table: ContingencyTable): Disproportionality {
  const { a, b, c, d } = table;
  assertCount('a', a);
  assertCount('b', b);
  assertCount('c', c);
  assertCount('d', d);

  const prr = proportionalReportingRatio(table);
  const chiSquare = yatesChiSquare(table);
  const ror = reportingOddsRatio(table);
  const ic = informationComponent(table);

  return {
    total: a + b + c + d,
    prr,
    chiSquare,
    ror,
    ic,
    signals: {
      prr: prr !== null && chiSquare !== null && prr.estimate >= 2 && chiSquare >= 4 && a >= 3,
      ror: ror !== null && ror.lower > 1,
      ic: ic.lower > 0,
    },
  };
}

/**
 * PRR = (a/(a + b)) / (c/(c + d)) (Evans, Waller & Davis 2001,
 * Pharmacoepidemiol Drug Saf 10:483–486), 95% interval exp(ln PRR ± 1.96·SE)
 * with the usual standard error of a log ratio of proportions,
 * SE = √(1/a − 1/(a + b) + 1/c − 1/(c + d)). Null when a = 0 (no log, no SE)
 * or c = 0 (infinite ratio).
 */
export function proportionalReportingRatio({ a, b, c, d }: ContingencyTable): RatioEstimate | null {
  const estimate = prrEstimate(a, b, c, d);
  if (estimate === null) return null;
  const se = Math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d));
  return logScaleInterval(estimate, se);
}

/**
 * ROR = ad/(bc), 95% interval exp(ln ROR ± 1.96·√(1/a + 1/b + 1/c + 1/d))
 * (Woolf's interval for an odds ratio). Null when any cell is 0.
 */
export function reportingOddsRatio({ a, b, c, d }: ContingencyTable): RatioEstimate | null {
  const estimate = rorEstimate(a, b, c, d);
  if (estimate === null) return null;
  const se = Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d);
  return logScaleInterval(estimate, se);
}

/**
 * Yates-corrected Pearson χ² for a 2×2 table:
 * N(|ad − bc| − N/2)² / ((a + b)(c + d)(a + c)(b + d)).
 *
 * The correction is capped at |ad − bc| (so χ² is 0, not positive, when
 * |ad − bc| < N/2); squaring the raw difference there would turn a table
 * that fits independence better than any could into evidence against it.
 * This matches R's chisq.test(correct = TRUE). Null when a margin is 0.
 */
export function yatesChiSquare({ a, b, c, d }: ContingencyTable): number | null {
  const n = a + b + c + d;
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  if (margins === 0) return null;
  const corrected = Math.max(0, Math.abs(a * d - b * c) - n / 2);
  return (n * corrected * corrected) / margins;
}

/**
 * Information component IC = log2((a + 0.5)/(E + 0.5)), E = (a + b)(a + c)/N,
 * with the 95% credibility interval from the Gamma(shape a + 0.5,
 * rate E + 0.5) posterior of the observed-to-expected ratio:
 * IC025 = log2(Gamma⁻¹(0.025)), IC975 = log2(Gamma⁻¹(0.975)).
 * Norén, Hopstadius & Bate (2013), Stat Methods Med Res 22:57–69.
 * With N = 0 the expected count is taken as 0 (nothing reported, nothing expected).
 */
export function informationComponent({ a, b, c, d }: ContingencyTable): InformationComponent {
  const expected = expectedCount(a, b, c, d);
  const shape = a + 0.5;
  const rate = expected + 0.5;
  const [lower, upper] = standardGammaInterval(shape);
  return {
    expected,
    estimate: icEstimate(a, b, c, d),
    // Gamma(shape, rate) is Gamma(shape, 1) scaled by 1 / rate.
    lower: Math.log2(lower / rate),
    upper: Math.log2(upper / rate),
  };
}

/** Past this many remembered shapes the memo starts over: a bound on memory far above the counts a table holds. */
const MAX_REMEMBERED_SHAPES = 100_000;
const standardIntervals = new Map<number, readonly [number, number]>();

/**
 * The 2.5 % and 97.5 % quantiles of Gamma(shape, 1), remembered: the shape is a count plus ½, and a signal table of
 * thousands of cells holds few distinct counts, while each quantile takes tens of µs of Newton steps on the
 * incomplete gamma function (most of a table's cost before).
 */
function standardGammaInterval(shape: number): readonly [number, number] {
  let interval = standardIntervals.get(shape);
  if (interval === undefined) {
    interval = [gammaQuantile(0.025, shape), gammaQuantile(0.975, shape)];
    if (standardIntervals.size >= MAX_REMEMBERED_SHAPES) standardIntervals.clear();
    standardIntervals.set(shape, interval);
  }
  return interval;
}

/*
 * The point estimates alone, from the four counts, as the functions above give them: enough to sort a table of
 * thousands of rows by one measure without the intervals (and without an object per row).
 */

/** PRR's estimate (see proportionalReportingRatio); null when a = 0 or c = 0. */
export function prrEstimate(a: number, b: number, c: number, d: number): number | null {
  if (a === 0 || c === 0) return null;
  // One division of exact integer products, so a PRR of exactly 2 is 2 and
  // not 1.9999999999999998 on the wrong side of the Evans threshold.
  return (a * (c + d)) / (c * (a + b));
}

/** ROR's estimate (see reportingOddsRatio); null when any cell is 0. */
export function rorEstimate(a: number, b: number, c: number, d: number): number | null {
  if (a === 0 || b === 0 || c === 0 || d === 0) return null;
  return (a * d) / (b * c);
}

/** IC's estimate (see informationComponent). */
export function icEstimate(a: number, b: number, c: number, d: number): number {
  return Math.log2((a + 0.5) / (expectedCount(a, b, c, d) + 0.5));
}

/** E = (a + b)(a + c)/N; 0 when N = 0. */
function expectedCount(a: number, b: number, c: number, d: number): number {
  const n = a + b + c + d;
  return n === 0 ? 0 : ((a + b) * (a + c)) / n;
}

function logScaleInterval(estimate: number, se: number): RatioEstimate {
  const log = Math.log(estimate);
  return { estimate, lower: Math.exp(log - Z * se), upper: Math.exp(log + Z * se) };
}
