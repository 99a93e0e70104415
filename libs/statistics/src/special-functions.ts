/**
 * The few special functions the intervals and signals need, written out so
 * the library depends on nothing: the normal quantile, log-gamma, the
 * regularized incomplete gamma function and the gamma / chi-square quantile.
 * All aim at close to double precision (relative error around 1e-13 or better
 * in the ranges used here) because their results are compared against
 * published tables and then shown to regulators.
 */
import { assertPositive, assertProbability } from './validate.js';

// Wichura's AS 241 coefficients, lowest power first, rounded to the nearest
// double (the published 20-digit values parse to exactly these numbers).
const AS241 = {
  // |p − ½| ≤ 0.425, in r = 0.180625 − (p − ½)²
  centralNumerator: [
    3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087, 33430.57558358813,
    2509.0809287301227,
  ],
  centralDenominator: [
    1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943,
    5226.495278852854,
  ],
  // r = √(−ln min(p, 1 − p)) − 1.6, for r ≤ 5 before the shift
  nearNumerator: [
    1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506,
    0.022723844989269184, 0.0007745450142783414,
  ],
  nearDenominator: [
    1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457, 0.0005475938084995345,
    1.0507500716444169e-9,
  ],
  // r = √(−ln min(p, 1 − p)) − 5, far tails (p below about 1e-11)
  farNumerator: [
    6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124, 0.0012426609473880784,
    0.000027115555687434876, 2.0103343992922881e-7,
  ],
  farDenominator: [
    1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 0.000018463183175100548, 1.421511758316446e-7,
    2.0442631033899397e-15,
  ],
};

/** Σ coefficients[i]·xⁱ by Horner's rule. */
function polynomial(coefficients: readonly number[], x: number): number {
  let result = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) result = result * x + coefficients[i]!;
  return result;
}

/**
 * Quantile of the standard normal distribution, Φ⁻¹(p).
 *
 * Wichura (1988) algorithm AS 241 PPND16, Applied Statistics 37:477–484:
 * rational approximations accurate to about 1e-16 relative, the same
 * algorithm R's qnorm uses. p = 0 and p = 1 give −∞ and +∞.
 */
export function normalQuantile(p: number): number {
  assertProbability('p', p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;

  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(AS241.centralNumerator, r)) / polynomial(AS241.centralDenominator, r);
  }

  // Tails: work with r = √(−ln min(p, 1 − p)) so tiny tail probabilities keep their precision.
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const value =
    r <= 5
      ? polynomial(AS241.nearNumerator, r - 1.6) / polynomial(AS241.nearDenominator, r - 1.6)
      : polynomial(AS241.farNumerator, r - 5) / polynomial(AS241.farDenominator, r - 5);
  return q < 0 ? -value : value;
}

// Lanczos approximation with g = 7, n = 9 (Godfrey's coefficients), relative
// error below 1e-15 for Γ on the positive axis.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  assertPositive('x', x);
  // The Lanczos series is accurate for x ≥ 0.5; the reflection formula
  // Γ(x)Γ(1−x) = π / sin(πx) covers (0, 0.5).
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-16;
const TINY = 1e-300;

function maxIterations(a: number): number {
  // Both expansions need O(√a) terms near x ≈ a; this leaves a wide margin.
  return 1000 + Math.ceil(50 * Math.sqrt(a));
}

/** a·ln(x/a) − (x − a), i.e. a·(log1p(d) − d) with d = (x − a)/a, without cancellation when x is near a. */
function logSaddle(a: number, x: number): number {
  const d = (x - a) / a;
  if (Math.abs(d) > 0.5) return a * Math.log(x / a) - (x - a);
  // log1p(d) − d = −d²/2 + d³/3 − d⁴/4 + …, converging geometrically for |d| ≤ 0.5.
  let power = d;
  let sum = 0;
  for (let k = 2; k < 80; k++) {
    power *= -d;
    const term = power / k;
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * EPS) break;
  }
  return a * sum;
}

// Stirling series coefficients B₂ₖ / (2k(2k − 1)), k = 1…7.
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];

/** lnΓ(a) minus (a − ½)ln a − a + ½ln 2π, for a ≥ 10: the first omitted term is below 3e-17 there. */
function stirlingCorrection(a: number): number {
  const inverseSquare = 1 / (a * a);
  let sum = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) sum = sum * inverseSquare + STIRLING[k]!;
  return sum / a;
}

/**
 * e^(−x) x^a / Γ(a), the common prefactor of both expansions. For large a
 * the naive a·ln x − x − lnΓ(a) subtracts numbers of size a·ln a and loses
 * about log10(a) digits, so it is rearranged around the saddle point x = a
 * (the same device as Boost's regularised_gamma_prefix).
 */
function prefactor(a: number, x: number): number {
  if (a < 10) return Math.exp(a * Math.log(x) - x - logGamma(a));
  return Math.exp(logSaddle(a, x) + 0.5 * Math.log(a / (2 * Math.PI)) - stirlingCorrection(a));
}

/** P(a, x) by its power series (Numerical Recipes §6.2, gser); converges fast for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0, limit = maxIterations(a); n < limit; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) return sum * prefactor(a, x);
  }
  throw new Error(`incomplete gamma series did not converge (a=${a}, x=${x})`);
}

/** Q(a, x) by its continued fraction, modified Lentz (Numerical Recipes §6.2, gcf); for x ≥ a + 1. */
function upperContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1, limit = maxIterations(a); i <= limit; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h * prefactor(a, x);
  }
  throw new Error(`incomplete gamma continued fraction did not converge (a=${a}, x=${x})`);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a): the CDF of Gamma(shape a, rate 1) at x. */
export function regularizedGammaP(a: number, x: number): number {
  assertPositive('a', a);
  if (!(x >= 0)) throw new RangeError(`x must be non-negative, got ${x}`);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? lowerSeries(a, x) : 1 - upperContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly so upper tails keep their precision. */
export function regularizedGammaQ(a: number, x: number): number {
  assertPositive('a', a);
  if (!(x >= 0)) throw new RangeError(`x must be non-negative, got ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperContinuedFraction(a, x);
}

/**
 * Quantile of the Gamma(shape, rate) distribution: the x with P(shape, x·rate) = p.
 *
 * Starts from the Wilson–Hilferty cube-root normal approximation (Johnson,
 * Kotz & Balakrishnan, Continuous Univariate Distributions vol. 1, §18.5) and
 * refines by Newton's method on the log of the smaller tail probability,
 * with a bracket and bisection fallback so it always converges.
 */
export function gammaQuantile(p: number, shape: number, rate = 1): number {
  assertProbability('p', p);
  assertPositive('shape', shape);
  assertPositive('rate', rate);
  if (p === 0) return 0;
  if (p === 1) return Infinity;

  // r(x) < 0 exactly when x is below the quantile. Working with the log of
  // the smaller tail keeps far-tail probabilities (1e-100) exact and makes the
  // function nearly linear: ln P ≈ a·ln x + const as x → 0 (so Newton runs in
  // ln x there) and ln Q ≈ −x + const as x → ∞ (so Newton runs in x).
  const lowerTail = p <= 0.5;
  const logTarget = lowerTail ? Math.log(p) : Math.log1p(-p);
  const residual = lowerTail
    ? (x: number) => Math.log(regularizedGammaP(shape, x)) - logTarget
    : (x: number) => logTarget - Math.log(regularizedGammaQ(shape, x));
  // d r / d x = density / tail probability.
  const slope = (x: number) => prefactor(shape, x) / x / (lowerTail ? regularizedGammaP(shape, x) : regularizedGammaQ(shape, x));

  // P(a, x) ≤ x^a / Γ(a + 1) for every x (drop e^(−t) from the integral), so
  // this x never overshoots: a safe lower end of the bracket, and close to
  // the answer when p is small.
  const lowerBound = Math.exp((Math.log(p) + logGamma(shape + 1)) / shape);
  // Its relative error is about x / (a + 1), so far in the lower tail it is
  // already exact to double precision (and may underflow to 0, as it should).
  if (lowerBound < 1e-17) return lowerBound / rate;
  const c = 1 / (9 * shape);
  const wilsonHilferty = shape * Math.pow(1 - c + normalQuantile(p) * Math.sqrt(c), 3);

  let lo = lowerBound;
  let hi = Infinity;
  let x = Math.max(lowerBound, wilsonHilferty);

  for (let i = 0; i < 200; i++) {
    const r = residual(x);
    if (r === 0) return x / rate;
    if (r < 0) lo = x;
    else hi = x;

    const step = r / slope(x);
    let next = lowerTail ? x * Math.exp(-step / x) : x - step;
    if (!(next > lo && next < hi)) {
      // Newton left the bracket (or produced NaN at an extreme): bisect,
      // geometrically because the bracket can span hundreds of decades.
      next = hi === Infinity ? 2 * x + 1 : lo > 0 ? Math.sqrt(lo * hi) : 0.5 * hi;
    }
    if (Math.abs(next - x) <= 4 * Number.EPSILON * x) return next / rate;
    x = next;
  }
  throw new Error(`gamma quantile did not converge (p=${p}, shape=${shape})`);
}

/** Quantile of the chi-square distribution with df degrees of freedom: χ²(df) is Gamma(shape df/2, rate 1/2). */
export function chiSquareQuantile(p: number, df: number): number {
  assertPositive('df', df);
  return 2 * gammaQuantile(p, df / 2);
}
