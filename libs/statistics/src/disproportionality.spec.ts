import {
  disproportionality,
  informationComponent,
  proportionalReportingRatio,
  reportingOddsRatio,
  yatesChiSquare,
} from './disproportionality.js';
import fc from 'fast-check';
import { gammaQuantile } from './special-functions.js';

/*
 * Worked example, computed by hand from the formulas:
 *   a = 20, b = 80, c = 50, d = 950, N = 1100
 *
 *   PRR = (20/100) / (50/1000) = 0.2 / 0.05 = 4
 *   SE(ln PRR)² = 1/20 − 1/100 + 1/50 − 1/1000 = 0.05 − 0.01 + 0.02 − 0.001 = 0.059
 *   SE = 0.242899, 1.96·SE = 0.476083, e^0.476083 = 1.609756
 *   CI = 4 / 1.609756 … 4 × 1.609756 = 2.48485 … 6.43902
 *
 *   ROR = (20 × 950) / (80 × 50) = 19000 / 4000 = 4.75
 *   SE(ln ROR)² = 1/20 + 1/80 + 1/50 + 1/950 = 0.05 + 0.0125 + 0.02 + 0.00105263 = 0.08355263
 *   SE = 0.289055, 1.96·SE = 0.566547, e^0.566547 = 1.762172
 *   CI = 4.75 / 1.762172 … 4.75 × 1.762172 = 2.69554 … 8.37032
 *
 *   Yates χ²: |ad − bc| = 19000 − 4000 = 15000, minus N/2 = 550 → 14450
 *   14450² = 208 802 500, × N = 229 682 750 000
 *   margins (a+b)(c+d)(a+c)(b+d) = 100 × 1000 × 70 × 1030 = 7 210 000 000
 *   χ² = 229 682 750 000 / 7 210 000 000 = 31.8561
 *
 *   E = (a+b)(a+c)/N = 100 × 70 / 1100 = 6.363636
 *   IC = log2(20.5 / 6.863636) = log2(2.986755) = 1.578579
 */
const worked = { a: 20, b: 80, c: 50, d: 950 };

describe(disproportionality.name, () => {
  const sut = disproportionality;

  it('computes PRR, ROR, χ² and IC for the worked example and signals on all three', () => {
    const result = sut(worked);
    expect(result.total).toBe(1100);
    expect(result.prr!.estimate).toBe(4);
    expect(result.prr!.lower).toBeCloseTo(2.48485, 4);
    expect(result.prr!.upper).toBeCloseTo(6.43902, 4);
    expect(result.ror!.estimate).toBe(4.75);
    expect(result.ror!.lower).toBeCloseTo(2.69554, 4);
    expect(result.ror!.upper).toBeCloseTo(8.37032, 4);
    expect(result.chiSquare).toBeCloseTo(31.8561, 4);
    expect(result.ic.expected).toBeCloseTo(6.363636, 6);
    expect(result.ic.estimate).toBeCloseTo(1.578579, 6);
    expect(result.ic.lower).toBeLessThan(result.ic.estimate);
    expect(result.ic.upper).toBeGreaterThan(result.ic.estimate);
    expect(result.signals).toEqual({ prr: true, ror: true, ic: true });
  });

  /*
   * Evans criteria, a = 3, b = 7, c = 30, d = 270, N = 310:
   *   PRR = (3/10) / (30/300) = 3 (≥ 2) and a = 3 (≥ 3), but
   *   χ² = 310 × (|810 − 210| − 155)² / (10 × 300 × 33 × 277)
   *      = 310 × 445² / 27 423 000 = 61 387 750 / 27 423 000 = 2.2385 (< 4): no PRR signal.
   *   ROR = 810/210 = 3.857143, SE² = 1/3 + 1/7 + 1/30 + 1/270 = 0.513228, SE = 0.716399,
   *   lower = 3.857143 × e^(−1.404142) = 3.857143 × 0.245578 = 0.94723 (< 1): no ROR signal.
   */
  it('needs χ² ≥ 4 for a PRR signal, and a lower ROR bound above 1 for an ROR signal', () => {
    const result = sut({ a: 3, b: 7, c: 30, d: 270 });
    expect(result.prr!.estimate).toBeCloseTo(3, 12);
    expect(result.chiSquare).toBeCloseTo(2.2385, 4);
    expect(result.ror!.lower).toBeCloseTo(0.94723, 5);
    expect(result.signals.prr).toBe(false);
    expect(result.signals.ror).toBe(false);
  });

  /*
   * a = 2, b = 3, c = 10, d = 985, N = 1000: PRR = 0.4 / (10/995) = 39.8 and
   * χ² = 1000 × (1970 − 30 − 500)² / (5 × 995 × 12 × 988) = 2 073 600 000 / 58 983 600 = 35.16,
   * yet a = 2 < 3. One more report (a = 3, b = 2) meets all three criteria.
   */
  it('needs at least 3 reports for a PRR signal however strong the ratio', () => {
    const two = sut({ a: 2, b: 3, c: 10, d: 985 });
    expect(two.prr!.estimate).toBeCloseTo(39.8, 10);
    expect(two.chiSquare).toBeCloseTo(35.1555, 4);
    expect(two.signals.prr).toBe(false);
    expect(sut({ a: 3, b: 2, c: 10, d: 985 }).signals.prr).toBe(true);
  });

  /*
   * a = 40, b = 60, c = 200, d = 800: PRR = (40/100) / (200/1000) = 2 exactly;
   * χ² = 1100 × (32 000 − 12 000 − 550)² / (100 × 1000 × 240 × 860) = 416 132 750 000 / 20 640 000 000 = 20.16.
   */
  it('counts a PRR of exactly 2 as meeting the threshold', () => {
    const result = sut({ a: 40, b: 60, c: 200, d: 800 });
    expect(result.prr!.estimate).toBe(2);
    expect(result.chiSquare).toBeCloseTo(20.1615, 4);
    expect(result.signals.prr).toBe(true);
  });

  it('reports undefined ratios as null, never as 0, Infinity or NaN, and does not signal on them', () => {
    const noCases = sut({ a: 0, b: 5, c: 10, d: 85 });
    expect(noCases.prr).toBeNull();
    expect(noCases.ror).toBeNull();
    expect(noCases.signals).toEqual({ prr: false, ror: false, ic: false });

    const noOtherPigment = sut({ a: 3, b: 10, c: 0, d: 100 });
    expect(noOtherPigment.prr).toBeNull();
    expect(noOtherPigment.ror).toBeNull();
    expect(noOtherPigment.chiSquare).toBeCloseTo(15.6178, 4);

    // b = 0: the PRR is fine ((3/3) / (10/110) = 11), the odds ratio is not.
    const onlyThisCategory = sut({ a: 3, b: 0, c: 10, d: 100 });
    expect(onlyThisCategory.prr!.estimate).toBe(11);
    expect(onlyThisCategory.ror).toBeNull();

    const empty = sut({ a: 0, b: 0, c: 0, d: 0 });
    expect(empty).toMatchObject({ total: 0, prr: null, chiSquare: null, ror: null });
    expect(empty.ic.expected).toBe(0);
    expect(empty.ic.estimate).toBe(0);

    for (const result of [noCases, noOtherPigment, onlyThisCategory, empty]) {
      const numbers = [result.chiSquare, result.ic.estimate, result.ic.lower, result.ic.upper, result.ic.expected];
      for (const value of numbers) if (value !== null) expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('rejects negative or fractional counts', () => {
    expect(() => sut({ a: -1, b: 1, c: 1, d: 1 })).toThrow(RangeError);
    expect(() => sut({ a: 1, b: 1.5, c: 1, d: 1 })).toThrow(RangeError);
  });
});

describe(proportionalReportingRatio.name, () => {
  const sut = proportionalReportingRatio;

  it('is null when a or c is 0 and the worked-example PRR otherwise', () => {
    expect(sut({ a: 0, b: 1, c: 1, d: 1 })).toBeNull();
    expect(sut({ a: 1, b: 1, c: 0, d: 1 })).toBeNull();
    expect(sut(worked)!.estimate).toBe(4);
  });
});

describe(reportingOddsRatio.name, () => {
  const sut = reportingOddsRatio;

  it('is null when any cell is 0 and symmetric under swapping rows and columns', () => {
    for (const zero of ['a', 'b', 'c', 'd'] as const) expect(sut({ ...worked, [zero]: 0 })).toBeNull();
    const swapped = sut({ a: worked.a, b: worked.c, c: worked.b, d: worked.d })!;
    expect(swapped.estimate).toBeCloseTo(4.75, 12);
    expect(swapped.lower).toBeCloseTo(sut(worked)!.lower, 12);
  });
});

describe(yatesChiSquare.name, () => {
  const sut = yatesChiSquare;

  /*
   * a = 5, b = 5, c = 5, d = 6, N = 21: |ad − bc| = 5 < N/2 = 10.5. The raw
   * formula would give 21 × (5 − 10.5)² / (10 × 11 × 10 × 11) = 635.25 / 12 100 = 0.0525;
   * the correction is capped so the statistic is 0.
   */
  it('caps the continuity correction at |ad − bc|, so a near-independent table scores 0', () => {
    expect(sut({ a: 5, b: 5, c: 5, d: 6 })).toBe(0);
  });

  it('is null when a row or column is empty', () => {
    expect(sut({ a: 0, b: 4, c: 0, d: 9 })).toBeNull();
    expect(sut({ a: 0, b: 0, c: 3, d: 9 })).toBeNull();
  });
});

describe(informationComponent.name, () => {
  const sut = informationComponent;

  /*
   * Norén, Hopstadius & Bate (2013) Stat Methods Med Res 22:57–69: IC025 and
   * IC975 are log2 of the 2.5% and 97.5% quantiles of Gamma(shape a + 0.5,
   * rate E + 0.5). Choosing E + 0.5 = 1 and a + 0.5 = k makes that Gamma(k, 1),
   * whose quantiles are χ²(2k)/2, so chi-square tables give the answer
   * (NIST/SEMATECH e-Handbook §1.3.6.7.4).
   *
   * a = 4, b = 6, c = 1, d = 89: E = 10 × 5 / 100 = 0.5, shape 4.5 → χ² with 9 df.
   *   χ²₉(0.025) = 2.700, χ²₉(0.975) = 19.023
   *   IC    = log2(4.5 / 1)      = 2.16993
   *   IC025 = log2(2.700 / 2)    = log2(1.3500) = 0.4330 (table rounding: ±0.0003)
   *   IC975 = log2(19.023 / 2)   = log2(9.5115) = 3.2497
   */
  it('takes IC025/IC975 from the gamma posterior (checked against χ² tables with 9 df)', () => {
    const ic = sut({ a: 4, b: 6, c: 1, d: 89 });
    expect(ic.expected).toBe(0.5);
    expect(ic.estimate).toBeCloseTo(2.16993, 5);
    expect(ic.lower).toBeCloseTo(0.433, 3);
    expect(ic.upper).toBeCloseTo(3.2497, 3);
  });

  /*
   * a = 0, b = 5, c = 10, d = 85: E = 5 × 10 / 100 = 0.5, shape 0.5 → χ² with 1 df.
   *   χ²₁(0.025) = 0.000982, χ²₁(0.975) = 5.024
   *   IC    = log2(0.5 / 1)        = −1
   *   IC025 = log2(0.000982 / 2)   = log2(0.000491) = −10.992
   *   IC975 = log2(5.024 / 2)      = log2(2.512)    = 1.3288 (table rounding: ±0.0002)
   */
  it('stays finite with no observed reports, where shrinkage pulls the IC towards 0 (checked against χ² with 1 df)', () => {
    const ic = sut({ a: 0, b: 5, c: 10, d: 85 });
    expect(ic.estimate).toBe(-1);
    expect(ic.lower).toBeCloseTo(-10.992, 2);
    expect(ic.upper).toBeCloseTo(1.3288, 3);
  });

  it('orders IC025 < IC < IC975 and narrows the interval as reports accumulate at a fixed O/E', () => {
    let previousWidth = Infinity;
    for (const scale of [1, 2, 5, 10, 100, 1000]) {
      // Keep a/E = 3: a = 3·scale, E = (a+b)(a+c)/N.
      const ic = sut({ a: 3 * scale, b: 7 * scale, c: 7 * scale, d: 83 * scale });
      expect(ic.lower).toBeLessThan(ic.estimate);
      expect(ic.upper).toBeGreaterThan(ic.estimate);
      const width = ic.upper - ic.lower;
      expect(width).toBeLessThan(previousWidth);
      previousWidth = width;
    }
  });

  it('gives the same interval whether its gamma quantiles are remembered from an earlier table or computed afresh', () => {
    fc.assert(
      fc.property(fc.nat(5_000), fc.nat(5_000), fc.nat(5_000), fc.nat(50_000), (a, b, c, d) => {
        const table = { a, b, c, d };
        const ic = sut(table);
        const rate = ic.expected + 0.5;
        // The same table twice (the second from memory), and the quantiles straight from gammaQuantile at this rate.
        expect(sut(table)).toEqual(ic);
        expect(ic.lower).toBe(Math.log2(gammaQuantile(0.025, a + 0.5, rate)));
        expect(ic.upper).toBe(Math.log2(gammaQuantile(0.975, a + 0.5, rate)));
      }),
      { numRuns: 300 },
    );
  });
});
