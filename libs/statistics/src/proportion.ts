/**
 * Confidence interval for a binomial proportion (adverse events per
 * procedure).
 */
import { assertCount, assertPositive } from './validate.js';

export interface Interval {
  lower: number;
  upper: number;
}

/** Φ⁻¹(0.975), the two-sided 95% normal critical value. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for successes / trials (Wilson 1927; method 3 in
 * Newcombe 1998, Stat Med 17:857–872). Unlike the Wald interval it stays
 * inside [0, 1] and keeps a sensible width at 0 or n events, which is the
 * usual situation for a small clinic.
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n)
 *   half   = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n)
 *
 * Returns null when trials = 0: with no procedures there is no rate to
 * bound, and a [0, 1] interval would read as data.
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): Interval | null {
  assertCount('successes', successes);
  assertCount('trials', trials);
  assertPositive('z', z);
  if (successes > trials) throw new RangeError(`successes (${successes}) cannot exceed trials (${trials})`);
  if (trials === 0) return null;

  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or n successes the bound is exactly 0 or 1; pin it rather than
  // report a rounding residue such as 1e-17.
  return {
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
