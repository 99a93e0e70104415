import { adjustedScore, funnelBand, funnelLimit, funnelLimits, funnelPlot, funnelScores, type FunnelUnit } from './funnel.js';

/** Small seeded generator (mulberry32) so the property loops are repeatable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binomial(next: () => number, n: number, p: number): number {
  let events = 0;
  for (let i = 0; i < n; i++) if (next() < p) events++;
  return events;
}

/** Clinics with binomial counts around rates that themselves vary by `spread` (0: pure binomial). */
function network(seed: number, size: number, rate: number, spread: number): FunnelUnit[] {
  const next = random(seed);
  return Array.from({ length: size }, (_, i) => {
    const trials = 20 + Math.floor(next() * 480);
    const clinicRate = Math.min(0.99, Math.max(0.001, rate + spread * (next() - 0.5)));
    return { id: `c${i}`, events: binomial(next, trials, clinicRate), trials };
  });
}

describe(funnelPlot.name, () => {
  const sut = funnelPlot;

  /*
   * Five clinics of 100 procedures with 4, 7, 10, 13 and 16 events.
   *   p0 (pooled) = 50/500 = 0.1, s² = 0.1 × 0.9 / 100 = 0.0009, s = 0.03
   *   z = (0.04 − 0.1)/0.03 … = −2, −1, 0, 1, 2
   *   10th percentile (type 7): position 4 × 0.1 = 0.4 → −2 + 0.4 × 1 = −1.6; 90th: 3.6 → 1 + 0.6 × 1 = 1.6
   *   winsorised z = −1.6, −1, 0, 1, 1.6; Σz² = 2.56 + 1 + 0 + 1 + 2.56 = 7.12; φ = 7.12 / 5 = 1.424
   *   w = 1/0.0009 each: Σw − Σw²/Σw = 5w − w = 4w = 4/0.0009
   *   τ² = (5 × 1.424 − 4) / (4/0.0009) = 3.12 × 0.0009 / 4 = 0.000702
   *   √(s² + τ²) = √0.001602 = 0.0400250
   *   z* for 16/100 = 0.06 / 0.040025 = 1.49906 (within; unadjusted z = 2 is above 95%)
   *   limits at n = 100: 0.1 ± 1.96 × 0.040025 = 0.021551 … 0.178449
   *                      0.1 ± 3.09 × 0.040025 = 0 (−0.023677 clamped) … 0.223677
   */
  it('reproduces the hand-computed winsorised example', () => {
    const units = [4, 7, 10, 13, 16].map((events, i) => ({ id: `u${i}`, events, trials: 100 }));
    const result = sut(units);

    expect(result.target).toBeCloseTo(0.1, 15);
    expect(result.units.map((u) => u.z)).toEqual([-2, -1, 0, 1, 2].map((z) => expect.closeTo(z, 12)));
    expect(result.phi).toBeCloseTo(1.424, 12);
    expect(result.tau2).toBeCloseTo(0.000702, 12);
    expect(result.overdispersed).toBe(true);

    const top = result.units[4]!;
    expect(top.adjustedZ).toBeCloseTo(1.49906, 5);
    expect(top.unadjustedBand).toBe('above_95');
    expect(top.band).toBe('within');
    expect(result.units[0]!.unadjustedBand).toBe('below_95');
    expect(result.units.every((u) => u.band === 'within')).toBe(true);

    const [limits] = funnelLimits([100], result);
    expect(limits!.lower95).toBeCloseTo(0.021551, 6);
    expect(limits!.upper95).toBeCloseTo(0.178449, 6);
    expect(limits!.lower998).toBe(0);
    expect(limits!.upper998).toBeCloseTo(0.223677, 6);
  });

  /*
   * Unequal sizes, explicit target p0 = 0.2 (p0(1 − p0) = 0.16), no winsorising:
   *   n = 25:  s² = 0.0064, 9/25  = 0.36 → z = 0.16/0.08 = 2
   *   n = 100: s² = 0.0016, 16/100 = 0.16 → z = −1; 24/100 = 0.24 → z = 1
   *   n = 400: s² = 0.0004, 72/400 = 0.18 → z = −0.02/0.02 = −1
   *   φ = (4 + 1 + 1 + 1)/4 = 1.75, Iφ − (I − 1) = 7 − 3 = 4
   *   w = 156.25, 625, 625, 2500; Σw = 3906.25
   *   Σw² = 24 414.0625 + 390 625 + 390 625 + 6 250 000 = 7 055 664.0625; Σw²/Σw = 1806.25
   *   τ² = 4 / (3906.25 − 1806.25) = 4 / 2100 = 0.00190476
   *   z*(n = 25)  = 0.16 / √0.00830476 = 0.16 / 0.0911305 = 1.75572 (within; unadjusted above 95%)
   *   z*(n = 400) = −0.02 / √0.00230476 = −0.02 / 0.0480079 = −0.416598
   */
  it('weights units by precision when estimating τ² (hand-computed, unequal sizes)', () => {
    const units = [
      { id: 'small', events: 9, trials: 25 },
      { id: 'low', events: 16, trials: 100 },
      { id: 'high', events: 24, trials: 100 },
      { id: 'large', events: 72, trials: 400 },
    ];
    const result = sut(units, { target: 0.2, winsorise: 0 });

    expect(result.phi).toBeCloseTo(1.75, 12);
    expect(result.tau2).toBeCloseTo(4 / 2100, 12);
    expect(result.units[0]!.adjustedZ).toBeCloseTo(1.75572, 5);
    expect(result.units[0]!.unadjustedBand).toBe('above_95');
    expect(result.units[0]!.band).toBe('within');
    expect(result.units[3]!.adjustedZ).toBeCloseTo(-0.416598, 6);
  });

  /*
   * 1 event in 20 procedures against a network rate of 1%:
   * z = (0.05 − 0.01) / √(0.01 × 0.99 / 20) = 0.04 / 0.0222486 = 1.798; τ² ≥ 0 can only shrink it.
   */
  it('does not call a small clinic with 1 event in 20 procedures an outlier against a 1% network rate', () => {
    const clinics = network(7, 40, 0.01, 0.015);
    const result = sut([...clinics, { id: 'small', events: 1, trials: 20 }], { target: 0.01 });
    const small = result.units.find((u) => u.id === 'small')!;
    expect(small.z).toBeCloseTo(1.798, 3);
    expect(small.band).toBe('within');
  });

  it('pulls a clinic back inside the 99.8% limits once the network is overdispersed', () => {
    // Clinic rates from 0.1% to 2% around a network rate of about 1%: far more
    // spread than binomial noise on 1000 procedures (SD 0.3 points) explains.
    const rates = [1, 3, 6, 9, 12, 15, 18, 20, 8, 8];
    const clinics = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, events: rates[i % 10]!, trials: 1000 }));
    const result = sut([...clinics, { id: 'busy', events: 25, trials: 1000 }]);
    const busy = result.units.find((u) => u.id === 'busy')!;
    expect(result.phi).toBeGreaterThan(3);
    expect(result.tau2).toBeGreaterThan(0);
    expect(busy.unadjustedBand).toBe('above_99_8');
    expect(busy.band).toBe('above_95');
  });

  it('sets τ² = 0 when the data are not overdispersed', () => {
    // Every clinic exactly at the network rate: all z = 0, φ = 0.
    const flat = [20, 40, 100, 260, 1000].map((trials, i) => ({ id: `f${i}`, events: trials / 20, trials }));
    const result = sut(flat);
    expect(result.phi).toBe(0);
    expect(result.tau2).toBe(0);
    expect(result.overdispersed).toBe(false);
    expect(result.units.every((u) => u.band === 'within' && u.adjustedZ === u.z)).toBe(true);

    // In general τ² > 0 exactly when Iφ > I − 1; pure binomial data fall on both sides.
    let withoutExcess = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const units = network(seed, 15, 0.05, 0);
      const { phi, tau2 } = sut(units);
      const excess = units.length * phi - (units.length - 1);
      if (excess <= 0) {
        withoutExcess++;
        expect(tau2).toBe(0);
      } else {
        expect(tau2).toBeGreaterThan(0);
      }
    }
    expect(withoutExcess).toBeGreaterThan(0);
  });

  it('never makes a unit look more extreme after adjustment, and bands agree with the drawn limits', () => {
    for (let seed = 100; seed < 130; seed++) {
      const result = sut(network(seed, 25, 0.08, 0.1));
      for (const unit of result.units) {
        expect(Math.abs(unit.adjustedZ)).toBeLessThanOrEqual(Math.abs(unit.z) + 1e-12);
        const inner = funnelLimit(unit.trials, result.target, result.tau2, result.z95);
        const outer = funnelLimit(unit.trials, result.target, result.tau2, result.z998);
        const expected =
          unit.proportion > outer.upper
            ? 'above_99_8'
            : unit.proportion > inner.upper
              ? 'above_95'
              : unit.proportion < outer.lower
                ? 'below_99_8'
                : unit.proportion < inner.lower
                  ? 'below_95'
                  : 'within';
        expect(unit.band).toBe(expected);
      }
    }
  });

  it('keeps one wild clinic from inflating φ when winsorising', () => {
    const units = [...network(3, 20, 0.05, 0), { id: 'wild', events: 90, trials: 100 }];
    expect(sut(units).phi).toBeLessThan(sut(units, { winsorise: 0 }).phi);
  });

  it('gives plain binomial limits when the adjustment is switched off', () => {
    const result = sut(network(5, 20, 0.05, 0.08), { adjustForOverdispersion: false });
    expect(result.tau2).toBe(0);
    expect(result.units.every((u) => u.adjustedZ === u.z && u.band === u.unadjustedBand)).toBe(true);
  });

  it('handles degenerate networks: a single clinic, or no events anywhere', () => {
    expect(sut([{ id: 'only', events: 3, trials: 10 }]).tau2).toBe(0);
    const none = sut([
      { id: 'a', events: 0, trials: 10 },
      { id: 'b', events: 0, trials: 50 },
    ]);
    expect(none.target).toBe(0);
    expect(none.units.every((u) => u.z === 0 && u.band === 'within')).toBe(true);
  });

  it('rejects input it cannot score', () => {
    expect(() => sut([])).toThrow(RangeError);
    expect(() => sut([{ id: 'x', events: 0, trials: 0 }])).toThrow(RangeError);
    expect(() => sut([{ id: 'x', events: 5, trials: 4 }])).toThrow(RangeError);
    expect(() => sut([{ id: 'x', events: 1, trials: 4 }], { target: 0 })).toThrow(RangeError);
    expect(() => sut([{ id: 'x', events: 1, trials: 4 }], { winsorise: 0.5 })).toThrow(RangeError);
  });
});

describe(funnelScores.name, () => {
  const sut = funnelScores;

  // The hand-computed example of funnelPlot above, as parallel typed arrays (how insights places a thousand clinics).
  it('reproduces the hand-computed winsorised example from arrays of events and trials', () => {
    const result = sut(Int32Array.of(4, 7, 10, 13, 16), Int32Array.of(100, 100, 100, 100, 100));

    expect(result.target).toBeCloseTo(0.1, 15);
    expect([...result.z]).toEqual([-2, -1, 0, 1, 2].map((z) => expect.closeTo(z, 12)));
    expect(result.phi).toBeCloseTo(1.424, 12);
    expect(result.tau2).toBeCloseTo(0.000702, 12);
    expect(result.adjustedZ[4]).toBeCloseTo(1.49906, 5);
    expect(funnelBand(result.z[4]!, result.z95, result.z998)).toBe('above_95');
    expect(funnelBand(result.adjustedZ[4]!, result.z95, result.z998)).toBe('within');
  });

  it('gives the scores funnelPlot gives its units, in the same order', () => {
    for (let seed = 200; seed < 220; seed++) {
      const units = network(seed, 40, 0.05, 0.06);
      const plot = funnelPlot(units);
      const scores = sut(
        units.map((unit) => unit.events),
        units.map((unit) => unit.trials),
      );
      expect([scores.target, scores.phi, scores.tau2]).toEqual([plot.target, plot.phi, plot.tau2]);
      expect([...scores.adjustedZ]).toEqual(plot.units.map((unit) => unit.adjustedZ));
    }
  });

  it('names the unit it cannot score by its position', () => {
    expect(() => sut([1, 2], [10])).toThrow('2 event counts for 1 trial counts');
    expect(() => sut([1, 0], [10, 0])).toThrow('unit 1 has no trials');
    expect(() => sut([11], [10])).toThrow('unit 0 has more events than trials');
    expect(() => sut([1.5], [10])).toThrow('events of unit 0 must be a non-negative integer');
    expect(() => sut([], [])).toThrow(RangeError);
  });
});

describe(adjustedScore.name, () => {
  it('places one unit from its own counts and the funnel’s target and τ², as the funnel places it', () => {
    // By hand: 8 of 400 against 10 in 700, no overdispersion: (0.02 − 0.0142857) / √(0.0142857 · 0.9857143 / 400) = 0.96309.
    expect(adjustedScore(8, 400, 10 / 700, 0)).toBeCloseTo(0.96309, 5);
    // The winsorised example above: unit 16 of 100 with τ² = 0.000702: 0.06 / √(0.0009 + 0.000702) = 1.49906.
    expect(adjustedScore(16, 100, 0.1, 0.000702)).toBeCloseTo(1.49906, 5);
    const scores = funnelScores(Int32Array.of(4, 7, 10, 13, 16), Int32Array.of(100, 100, 100, 100, 100));
    expect([4, 7, 10, 13, 16].map((events) => adjustedScore(events, 100, scores.target, scores.tau2))).toEqual([...scores.adjustedZ]);
  });
});

describe(funnelLimits.name, () => {
  const sut = funnelLimits;

  it('widens as n shrinks, and the 99.8% limits contain the 95% ones', () => {
    const ns = Array.from({ length: 400 }, (_, i) => 1 + i * 13);
    for (const target of [0.005, 0.01, 0.1, 0.5]) {
      for (const tau2 of [0, 1e-5, 1e-3]) {
        const points = sut(ns, { target, tau2, z95: 1.96, z998: 3.09 });
        for (let i = 1; i < points.length; i++) {
          const smaller = points[i - 1]!;
          const larger = points[i]!;
          expect(smaller.upper95).toBeGreaterThanOrEqual(larger.upper95);
          expect(smaller.lower95).toBeLessThanOrEqual(larger.lower95);
          expect(smaller.upper998).toBeGreaterThanOrEqual(larger.upper998);
          expect(smaller.lower998).toBeLessThanOrEqual(larger.lower998);
          if (smaller.upper95 < 1) expect(smaller.upper95).toBeGreaterThan(larger.upper95);
        }
        for (const p of points) {
          expect(p.lower998).toBeLessThanOrEqual(p.lower95);
          expect(p.upper998).toBeGreaterThanOrEqual(p.upper95);
          expect(p.lower998).toBeGreaterThanOrEqual(0);
          expect(p.upper998).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('narrows towards p0 ± z·τ, not to p0, when there is overdispersion', () => {
    const [far] = sut([1e12], { target: 0.1, tau2: 0.0004, z95: 1.96, z998: 3.09 });
    expect(far!.upper95).toBeCloseTo(0.1 + 1.96 * 0.02, 9);
    expect(far!.lower95).toBeCloseTo(0.1 - 1.96 * 0.02, 9);
  });
});
