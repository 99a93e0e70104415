import { chiSquareQuantile, gammaQuantile, logGamma, normalQuantile, regularizedGammaP, regularizedGammaQ } from './special-functions.js';

/** Poisson lower tail Σ_{j<k} e^(−μ) μ^j / j!, summed term by term: an independent route to Q(k, μ) for integer k. */
function poissonBelow(k: number, mu: number): number {
  let term = Math.exp(-mu);
  let total = 0;
  for (let j = 0; j < k; j++) {
    total += term;
    term *= mu / (j + 1);
  }
  return total;
}

describe(normalQuantile.name, () => {
  const sut = normalQuantile;

  // Percentage points of the standard normal distribution as printed in
  // statistical tables (1.959964, 2.575829, 3.090232, …), to 6 decimals.
  it.each([
    [0.5, 0],
    [0.9, 1.281552],
    [0.95, 1.644854],
    [0.975, 1.959964],
    [0.99, 2.326348],
    [0.995, 2.575829],
    [0.999, 3.090232],
  ])('Φ⁻¹(%p) = %p as in the normal table', (p, expected) => {
    expect(sut(p)).toBeCloseTo(expected, 6);
    expect(sut(1 - p)).toBeCloseTo(-expected, 6);
  });

  it('agrees with Φ computed independently from the incomplete gamma, Φ(−x) = Q(½, x²/2)/2, deep into the tails', () => {
    for (const p of [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.02, 0.1, 0.3, 0.49]) {
      const x = -sut(p);
      expect(regularizedGammaQ(0.5, (x * x) / 2) / 2 / p).toBeCloseTo(1, 10);
    }
  });

  it('is −∞ and +∞ at 0 and 1 and rejects probabilities outside [0, 1]', () => {
    expect(sut(0)).toBe(-Infinity);
    expect(sut(1)).toBe(Infinity);
    expect(() => sut(1.5)).toThrow(RangeError);
    expect(() => sut(Number.NaN)).toThrow(RangeError);
  });
});

describe(logGamma.name, () => {
  const sut = logGamma;

  it('matches ln((n − 1)!) for integers and ln √π at ½', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 171; n++) {
      expect(sut(n)).toBeCloseTo(logFactorial, 9);
      logFactorial += Math.log(n);
    }
    expect(sut(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
  });

  it('satisfies Γ(x + 1) = x Γ(x) below ½, where the reflection formula is used', () => {
    for (const x of [1e-6, 0.01, 0.1, 0.25, 0.49]) expect(sut(x + 1) - sut(x)).toBeCloseTo(Math.log(x), 12);
  });
});

describe(regularizedGammaP.name, () => {
  const sut = regularizedGammaP;

  it('is the exponential CDF for shape 1 and erf(√x) for shape ½', () => {
    for (const x of [1e-8, 0.1, 1, 5, 30]) expect(sut(1, x)).toBeCloseTo(1 - Math.exp(-x), 14);
    // erf(1) = 0.8427007929497149, erf(0.5) = 0.5204998778130465 (Abramowitz & Stegun 1964, Table 7.1).
    expect(sut(0.5, 1)).toBeCloseTo(0.8427007929497149, 14);
    expect(sut(0.5, 0.25)).toBeCloseTo(0.5204998778130465, 14);
  });

  it('matches the Poisson tail Q(k, μ) = P(X < k) summed term by term, on both sides of the series/fraction switch', () => {
    for (const [k, mu] of [
      [1, 0.5],
      [3, 2],
      [10, 4],
      [10, 15],
      [50, 45],
      [50, 60],
      [120, 100],
    ] as const) {
      expect(regularizedGammaQ(k, mu)).toBeCloseTo(poissonBelow(k, mu), 13);
      expect(sut(k, mu) + regularizedGammaQ(k, mu)).toBeCloseTo(1, 14);
    }
  });

  it('is 0 at x = 0 and 1 at x = ∞', () => {
    expect(sut(2, 0)).toBe(0);
    expect(sut(2, Infinity)).toBe(1);
    expect(() => sut(0, 1)).toThrow(RangeError);
    expect(() => sut(1, -1)).toThrow(RangeError);
  });
});

describe(chiSquareQuantile.name, () => {
  const sut = chiSquareQuantile;

  // Chi-square table (NIST/SEMATECH e-Handbook of Statistical Methods
  // §1.3.6.7.4, 3 decimals; the df = 1 value 5.0239 to 4 decimals as in
  // most textbook tables).
  it.each([
    [0.975, 1, 5.0239],
    [0.95, 1, 3.841],
    [0.95, 2, 5.991],
    [0.025, 2, 0.051],
    [0.025, 9, 2.7],
    [0.975, 9, 19.023],
    [0.025, 10, 3.247],
    [0.05, 10, 3.94],
    [0.975, 10, 20.483],
    [0.05, 30, 18.493],
    [0.975, 100, 129.561],
  ])('the %p quantile with %p df is %p', (p, df, expected) => {
    expect(Math.abs(sut(p, df) - expected)).toBeLessThan(6e-4);
  });

  it('is −2 ln(1 − p) for 2 df, where the chi-square is exponential', () => {
    for (const p of [1e-12, 0.001, 0.025, 0.5, 0.975, 0.999999]) expect(sut(p, 2) / (-2 * Math.log1p(-p))).toBeCloseTo(1, 12);
  });
});

describe(gammaQuantile.name, () => {
  const sut = gammaQuantile;

  it('inverts the regularized incomplete gamma over a wide range of shapes and probabilities', () => {
    for (const shape of [0.05, 0.5, 1, 2.5, 10, 100, 1e4]) {
      for (const p of [1e-12, 1e-4, 0.025, 0.3, 0.5, 0.7, 0.975, 1 - 1e-9]) {
        const x = sut(p, shape);
        if (p <= 0.5) expect(regularizedGammaP(shape, x) / p).toBeCloseTo(1, 9);
        else expect(regularizedGammaQ(shape, x) / (1 - p)).toBeCloseTo(1, 7);
      }
    }
  });

  it('reaches the far lower tail: for shape ½, P = erf(√x) ≈ 2√(x/π), so q(p) ≈ πp²/4', () => {
    expect(sut(1e-100, 0.5) / ((Math.PI * 1e-200) / 4)).toBeCloseTo(1, 12);
    // For shape 0.01 the 1e-12 quantile is about 1e-1200, below the smallest double.
    expect(sut(1e-12, 0.01)).toBe(0);
  });

  it('divides by the rate', () => {
    expect(sut(0.975, 4.5, 2)).toBeCloseTo(sut(0.975, 4.5) / 2, 14);
  });

  it('is 0 at p = 0 and ∞ at p = 1, and rejects bad parameters', () => {
    expect(sut(0, 3)).toBe(0);
    expect(sut(1, 3)).toBe(Infinity);
    expect(() => sut(0.5, 0)).toThrow(RangeError);
    expect(() => sut(0.5, 1, -1)).toThrow(RangeError);
    expect(() => sut(-0.1, 1)).toThrow(RangeError);
  });
});
