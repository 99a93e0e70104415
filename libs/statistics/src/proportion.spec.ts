import { wilsonInterval } from './proportion.js';

describe(wilsonInterval.name, () => {
  const sut = wilsonInterval;

  // Newcombe RG (1998) "Two-sided confidence intervals for the single
  // proportion: comparison of seven methods", Stat Med 17:857–872, Table I,
  // method 3 (Wilson score interval without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%p/%p gives %p–%p (Newcombe 1998, Table I)', (successes, trials, lower, upper) => {
    const interval = sut(successes, trials)!;
    expect(interval.lower).toBeCloseTo(lower, 4);
    expect(interval.upper).toBeCloseTo(upper, 4);
  });

  it('is exactly 0 below at 0 successes and exactly 1 above at n successes', () => {
    expect(sut(0, 20)!.lower).toBe(0);
    expect(sut(20, 20)!.upper).toBe(1);
  });

  it('is the mirror image for failures: [L, U] for x/n is [1 − U, 1 − L] for (n − x)/n', () => {
    for (let n = 1; n <= 60; n += 7) {
      for (let x = 0; x <= n; x++) {
        const interval = sut(x, n)!;
        const mirrored = sut(n - x, n)!;
        expect(interval.lower).toBeCloseTo(1 - mirrored.upper, 14);
        expect(interval.upper).toBeCloseTo(1 - mirrored.lower, 14);
      }
    }
  });

  it('contains the observed proportion, stays inside [0, 1] and narrows with more trials at the same rate', () => {
    for (let n = 1; n <= 200; n++) {
      for (const x of [0, Math.floor(n / 3), n]) {
        const { lower, upper } = sut(x, n)!;
        expect(lower).toBeGreaterThanOrEqual(0);
        expect(upper).toBeLessThanOrEqual(1);
        expect(lower).toBeLessThanOrEqual(x / n);
        expect(upper).toBeGreaterThanOrEqual(x / n);
      }
    }
    const widths = [10, 100, 1000].map((n) => {
      const { lower, upper } = sut(n / 10, n)!;
      return upper - lower;
    });
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(widths[1]).toBeGreaterThan(widths[2]!);
  });

  it('widens with a larger z', () => {
    const at95 = sut(5, 50)!;
    const at99 = sut(5, 50, 2.5758293035489)!;
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
  });

  it('returns null for 0 trials: there is no rate to bound', () => {
    expect(sut(0, 0)).toBeNull();
  });

  it('rejects impossible counts', () => {
    expect(() => sut(3, 2)).toThrow(RangeError);
    expect(() => sut(-1, 2)).toThrow(RangeError);
    expect(() => sut(1.5, 2)).toThrow(RangeError);
    expect(() => sut(1, 2, 0)).toThrow(RangeError);
  });
});
