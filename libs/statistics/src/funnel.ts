/**
 * Funnel plot for comparing clinics' adverse-event proportions with the
 * network rate, with the additive random-effects overdispersion adjustment of
 * Spiegelhalter (2005), "Handling over-dispersion of performance indicators",
 * Qual Saf Health Care 14:347–351, and "Funnel plots for comparing
 * institutional performance", Stat Med 24:1185–1202.
 *
 * Real clinics differ for reasons no case-mix captures (technique, client
 * base, how diligently they report), so their spread is wider than binomial
 * sampling alone predicts. Plain binomial limits would then flag many
 * clinics as outliers; adding a between-clinic variance τ² widens the limits
 * by exactly the excess spread the data show, and no more.
 */
import { assertCount, assertPositive } from './validate.js';

export type FunnelBand = 'within' | 'above_95' | 'above_99_8' | 'below_95' | 'below_99_8';

export interface FunnelUnit {
  id: string;
  /** Adverse events (numerator). */
  events: number;
  /** Procedures (denominator); must be at least 1. */
  trials: number;
}

export interface FunnelOptions {
  /** Target proportion p0, in (0, 1). Default: the pooled proportion Σ events / Σ trials. */
  target?: number;
  /** Fraction of z-scores pulled in at each end before estimating φ; Spiegelhalter uses 0.1 (10%). 0 turns it off. */
  winsorise?: number;
  /** Estimate and add τ² (default true). With false the limits are the plain binomial ones. */
  adjustForOverdispersion?: boolean;
  /** Critical value of the inner limits (default 1.96, two-sided 95%). */
  z95?: number;
  /** Critical value of the outer limits (default 3.09, two-sided 99.8%). */
  z998?: number;
}

export interface FunnelUnitResult extends FunnelUnit {
  /** events / trials. */
  proportion: number;
  /** (y − p0) / s, against binomial variation only. */
  z: number;
  /** (y − p0) / √(s² + τ²): the score the band is taken from. */
  adjustedZ: number;
  /** Band by the adjusted z (the one to report). */
  band: FunnelBand;
  /** Band by the unadjusted z, to show what plain binomial limits would have said. */
  unadjustedBand: FunnelBand;
}

/** Everything needed to place the units and to draw the limits (pass it to funnelLimits). */
export interface FunnelLimitParameters {
  target: number;
  /** Between-unit variance on the proportion scale; 0 for plain binomial limits. */
  tau2: number;
  z95: number;
  z998: number;
}

export interface FunnelPlot extends FunnelLimitParameters {
  /** Overdispersion factor φ = mean of squared winsorised z-scores; about (I − 1)/I when there is none. */
  phi: number;
  /** Whether τ² > 0, i.e. the limits were widened. */
  overdispersed: boolean;
  units: FunnelUnitResult[];
}

export interface FunnelLimitPoint {
  n: number;
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

const DEFAULT_Z95 = 1.96;
const DEFAULT_Z998 = 3.09;
const DEFAULT_WINSORISE = 0.1;

/**
 * Scores each unit against the target and estimates the overdispersion.
 *
 * For unit i with proportion y_i from n_i trials:
 *   s_i² = p0(1 − p0)/n_i,  z_i = (y_i − p0)/s_i
 *   z_i winsorised to the [w, 1 − w] percentiles (linear interpolation, as R's
 *     default quantile type 7 and Excel's PERCENTILE.INC)
 *   φ = (1/I) Σ z_w²
 *   τ² = (Iφ − (I − 1)) / (Σ w_i − Σ w_i² / Σ w_i),  w_i = 1/s_i²
 *        (DerSimonian–Laird moment estimator on winsorised scores), and
 *   τ² = 0 when Iφ ≤ I − 1, i.e. no more spread than chance (φ ≤ (I − 1)/I,
 *        just under 1): then the adjusted and plain limits coincide. Any
 *        excess above that is used, with no extra significance test on φ;
 *        the estimator itself shrinks small excesses to small τ². This is the
 *        rule of Spiegelhalter's additive model as implemented in the NHS-R
 *        FunnelPlotR package.
 *   z_i* = (y_i − p0)/√(s_i² + τ²)
 *
 * Bands use the adjusted z: beyond ±z95 is outside 95%, beyond ±z998 outside
 * 99.8% (strictly beyond; a unit exactly on a limit is within).
 *
 * Degenerate input: throws on no units, on a unit with 0 trials, and on an
 * explicit target outside (0, 1). When the pooled proportion itself is 0 or 1
 * every unit sits exactly on the target, so all z are 0 and all are within.
 * With a single unit τ² is 0 (between-unit variance needs two units).
 */
export function funnelPlot(units: readonly FunnelUnit[], options: FunnelOptions = {}): FunnelPlot {
  if (units.length === 0) throw new RangeError('a funnel plot needs at least one unit');
  for (const unit of units) {
    // The messages are built only for a unit that fails (a thousand clinics per plot, several plots per answer).
    if (!isCount(unit.events)) assertCount(`events of ${unit.id}`, unit.events);
    if (!isCount(unit.trials)) assertCount(`trials of ${unit.id}`, unit.trials);
    if (unit.trials === 0) throw new RangeError(`unit ${unit.id} has no trials; leave it out of the funnel`);
    if (unit.events > unit.trials) throw new RangeError(`unit ${unit.id} has more events than trials`);
  }
  const scores = funnelScores(
    units.map((unit) => unit.events),
    units.map((unit) => unit.trials),
    options,
  );
  const { target, z95, z998 } = scores;
  const scored = units.map((unit, i): FunnelUnitResult => ({
    id: unit.id,
    events: unit.events,
    trials: unit.trials,
    proportion: unit.events / unit.trials,
    z: scores.z[i]!,
    adjustedZ: scores.adjustedZ[i]!,
    band: funnelBand(scores.adjustedZ[i]!, z95, z998),
    unadjustedBand: funnelBand(scores.z[i]!, z95, z998),
  }));
  return { target, phi: scores.phi, tau2: scores.tau2, overdispersed: scores.overdispersed, z95, z998, units: scored };
}

/** funnelPlot's estimates and scores, position by position, without an object per unit. */
export interface FunnelScores extends FunnelLimitParameters {
  phi: number;
  overdispersed: boolean;
  /** Unadjusted z of each unit. */
  z: Float64Array;
  /** Adjusted z of each unit: the score its band is taken from (see funnelBand). */
  adjustedZ: Float64Array;
}

/**
 * funnelPlot over parallel arrays of events and trials (unit i is events[i] of trials[i]): the same estimates and
 * scores, to the last bit, for callers that place thousands of units and want no object per unit. Same rules and
 * errors (units named by position).
 */
export function funnelScores(events: ArrayLike<number>, trials: ArrayLike<number>, options: FunnelOptions = {}): FunnelScores {
  const z95 = options.z95 ?? DEFAULT_Z95;
  const z998 = options.z998 ?? DEFAULT_Z998;
  const winsorise = options.winsorise ?? DEFAULT_WINSORISE;
  assertPositive('z95', z95);
  assertPositive('z998', z998);
  if (!(winsorise >= 0 && winsorise < 0.5)) throw new RangeError(`winsorise must be in [0, 0.5), got ${winsorise}`);
  const count = events.length;
  if (trials.length !== count) throw new RangeError(`${count} event counts for ${trials.length} trial counts`);
  if (count === 0) throw new RangeError('a funnel plot needs at least one unit');
  let totalEvents = 0;
  let totalTrials = 0;
  for (let i = 0; i < count; i++) {
    const e = events[i]!;
    const n = trials[i]!;
    if (!isCount(e)) assertCount(`events of unit ${i}`, e);
    if (!isCount(n)) assertCount(`trials of unit ${i}`, n);
    if (n === 0) throw new RangeError(`unit ${i} has no trials; leave it out of the funnel`);
    if (e > n) throw new RangeError(`unit ${i} has more events than trials`);
    totalEvents += e;
    totalTrials += n;
  }
  if (options.target !== undefined && !(options.target > 0 && options.target < 1)) {
    throw new RangeError(`target must be in (0, 1), got ${options.target}`);
  }

  const target = options.target ?? totalEvents / totalTrials;
  const variances = new Float64Array(count);
  const z = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    variances[i] = (target * (1 - target)) / trials[i]!;
    // Zero variance only when the pooled rate is 0 or 1, and then every unit equals it.
    z[i] = variances[i] === 0 ? 0 : (events[i]! / trials[i]! - target) / Math.sqrt(variances[i]!);
  }

  const { low, high } = winsorisingBounds(z, winsorise);
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const pulled = Math.min(high, Math.max(low, z[i]!));
    squares += pulled * pulled;
  }
  const phi = squares / count;
  const tau2 = options.adjustForOverdispersion === false ? 0 : betweenUnitVariance(count, phi, variances);

  const adjustedZ = new Float64Array(count);
  for (let i = 0; i < count; i++) adjustedZ[i] = adjustedScore(events[i]!, trials[i]!, target, tau2);
  return { target, phi, tau2, overdispersed: tau2 > 0, z95, z998, z, adjustedZ };
}

/**
 * A unit's adjusted z-score, (y − p0) / √(p0(1 − p0)/n + τ²), as funnelScores gives it (to the last bit): with the
 * target and τ² of a funnel, one unit is placed on it from its own counts.
 */
export function adjustedScore(events: number, trials: number, target: number, tau2: number): number {
  const adjustedVariance = (target * (1 - target)) / trials + tau2;
  // Zero variance only when the pooled rate is 0 or 1, and then every unit equals it.
  return adjustedVariance === 0 ? 0 : (events / trials - target) / Math.sqrt(adjustedVariance);
}

/**
 * Funnel limits at each n, for drawing the curves:
 * p0 ± z·√(p0(1 − p0)/n + τ²), clamped to [0, 1]. As n grows the limits
 * narrow towards p0 ± z·τ, not to p0: with overdispersion even a very large
 * clinic is allowed some genuine difference from the network.
 */
export function funnelLimits(ns: readonly number[], parameters: FunnelLimitParameters): FunnelLimitPoint[] {
  return ns.map((n) => {
    const inner = funnelLimit(n, parameters.target, parameters.tau2, parameters.z95);
    const outer = funnelLimit(n, parameters.target, parameters.tau2, parameters.z998);
    return { n, lower95: inner.lower, upper95: inner.upper, lower998: outer.lower, upper998: outer.upper };
  });
}

/** One pair of limits, p0 ± z·√(p0(1 − p0)/n + τ²) clamped to [0, 1]. */
export function funnelLimit(n: number, target: number, tau2: number, z: number): { lower: number; upper: number } {
  assertPositive('n', n);
  if (!(target >= 0 && target <= 1)) throw new RangeError(`target must be in [0, 1], got ${target}`);
  if (!(tau2 >= 0)) throw new RangeError(`tau2 must be non-negative, got ${tau2}`);
  assertPositive('z', z);
  const half = z * Math.sqrt((target * (1 - target)) / n + tau2);
  return { lower: Math.max(0, target - half), upper: Math.min(1, target + half) };
}

/** The band of a (adjusted) z-score: strictly beyond ±z95 is outside 95%, beyond ±z998 outside 99.8%. */
export function funnelBand(z: number, z95: number, z998: number): FunnelBand {
  if (z > z998) return 'above_99_8';
  if (z > z95) return 'above_95';
  if (z < -z998) return 'below_99_8';
  if (z < -z95) return 'below_95';
  return 'within';
}

/** DerSimonian–Laird τ² from the (winsorised) φ; see funnelPlot. */
function betweenUnitVariance(count: number, phi: number, variances: Float64Array): number {
  let totalWeight = 0;
  let squaredWeights = 0;
  for (const variance of variances) {
    if (variance === 0) return 0;
    const weight = 1 / variance;
    totalWeight += weight;
    squaredWeights += weight * weight;
  }
  const denominator = totalWeight - squaredWeights / totalWeight;
  const excess = count * phi - (count - 1);
  // Σw − Σw²/Σw is 0 for a single unit: one unit says nothing about the spread between units.
  if (excess <= 0 || !(denominator > 0)) return 0;
  return excess / denominator;
}

/** The `fraction` and 1 − `fraction` percentiles of the scores, between which winsorising holds them (none: ±∞). */
function winsorisingBounds(scores: Float64Array, fraction: number): { low: number; high: number } {
  if (fraction === 0) return { low: -Infinity, high: Infinity };
  // The two percentiles need four order statistics, not a sorted copy: selected in place, in linear time.
  const values = scores.slice();
  return { low: percentile(values, fraction), high: percentile(values, 1 - fraction) };
}

/**
 * Percentile by linear interpolation between order statistics (Hyndman & Fan 1996 type 7), the order statistics
 * selected in place (the values are reordered, not sorted).
 */
function percentile(values: Float64Array, q: number): number {
  const position = (values.length - 1) * q;
  const below = Math.floor(position);
  const lower = select(values, below);
  if (below + 1 >= values.length) return lower;
  // After selection everything past `below` is at least as large: the next order statistic is their minimum.
  let upper = Infinity;
  for (let i = below + 1; i < values.length; i++) if (values[i]! < upper) upper = values[i]!;
  return lower + (position - below) * (upper - lower);
}

/** The k-th smallest value (0-based); afterwards values[k] holds it, smaller values before it and larger after (Hoare's quickselect). */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >>> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k]!;
}

const isCount = (value: number): boolean => Number.isInteger(value) && value >= 0;
