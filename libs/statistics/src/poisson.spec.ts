import { garwoodPoissonInterval } from './poisson.js';
import { regularizedGammaP, regularizedGammaQ } from './special-functions.js';

describe(garwoodPoissonInterval.name, () => {
  const sut = garwoodPoissonInterval;

  // Exact 95% limits for a Poisson count as tabulated by Garwood F (1936)
  // "Fiducial limits for the Poisson distribution", Biometrika 28:437–442, and
  // reprinted in the usual tables of exact Poisson confidence limits.
  it.each([
    [0, 0, 3.689],
    [1, 0.0253, 5.572],
    [2, 0.242, 7.225],
    [5, 1.623, 11.668],
    [10, 4.795, 18.39],
  ])('k = %p gives %p–%p', (count, lower, upper) => {
    const interval = sut(count);
    expect(Math.abs(interval.lower - lower)).toBeLessThan(5e-4);
    expect(Math.abs(interval.upper - upper)).toBeLessThan(5e-3);
  });

  it('gives the closed form −ln(α/2) as the upper limit for k = 0 at any level', () => {
    for (const confidence of [0.8, 0.9, 0.95, 0.99, 0.998]) {
      expect(sut(0, confidence).upper).toBeCloseTo(-Math.log((1 - confidence) / 2), 12);
    }
  });

  it('puts exactly α/2 in each Poisson tail: P(X ≥ k | lower) = P(X ≤ k | upper) = α/2', () => {
    // P(X ≥ k | μ) = P(k, μ) and P(X ≤ k | μ) = Q(k + 1, μ) for a Poisson count.
    for (const count of [1, 3, 17, 250, 5000]) {
      const { lower, upper } = sut(count, 0.95);
      expect(regularizedGammaP(count, lower)).toBeCloseTo(0.025, 12);
      expect(regularizedGammaQ(count + 1, upper)).toBeCloseTo(0.025, 12);
    }
  });

  it('contains the count and widens with the confidence level', () => {
    for (const count of [0, 1, 4, 30, 1000]) {
      const at95 = sut(count);
      const at99 = sut(count, 0.99);
      expect(at95.lower).toBeLessThanOrEqual(count);
      expect(at95.upper).toBeGreaterThan(count);
      expect(at99.lower).toBeLessThanOrEqual(at95.lower);
      expect(at99.upper).toBeGreaterThan(at95.upper);
    }
  });

  it('rejects negative or fractional counts and impossible levels', () => {
    expect(() => sut(-1)).toThrow(RangeError);
    expect(() => sut(2.5)).toThrow(RangeError);
    expect(() => sut(2, 1)).toThrow(RangeError);
    expect(() => sut(2, 0)).toThrow(RangeError);
  });
});
