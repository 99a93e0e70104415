/**
 * Exact confidence interval for a Poisson count (adverse events of one kind
 * in a period, without a procedure denominator).
 */
import type { Interval } from './proportion.js';
import { gammaQuantile } from './special-functions.js';
import { assertCount } from './validate.js';

/**
 * Garwood (1936, Biometrika 28:437–442) exact interval for the mean of a
 * Poisson count k:
 *
 *   lower = χ²(α/2; 2k) / 2        (0 when k = 0)
 *   upper = χ²(1 − α/2; 2k + 2) / 2
 *
 * χ²(q; 2s)/2 is the q-quantile of Gamma(shape s, rate 1), which is computed
 * directly. The interval is conservative: coverage is at least the nominal
 * level for every true mean.
 */
export function garwoodPoissonInterval(count: number, confidence = 0.95): Interval {
  assertCount('count', count);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const alpha = 1 - confidence;
  return {
    lower: count === 0 ? 0 : gammaQuantile(alpha / 2, count),
    upper: gammaQuantile(1 - alpha / 2, count + 1),
  };
}
