import fc from 'fast-check';
import { round } from './rates.js';

/** round is a faster Number(value.toFixed(digits)); toFixed is the oracle, on any double and right at the ties. */
describe('round', () => {
  const digits = fc.integer({ min: 0, max: 6 });

  it('gives what Number(value.toFixed(digits)) gives, for any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), digits, (value, places) => {
        expect(Object.is(round(value, places), Number(value.toFixed(places)))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('gives what toFixed gives at and next to the halves, where rounding the product could tip', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e7, max: 1e7 }), digits, fc.integer({ min: -3, max: 3 }), (whole, places, nudge) => {
        // (whole + 0.5) / 10^places, moved a few doubles either way.
        let value = (whole + 0.5) / 10 ** places;
        for (let i = 0; i < Math.abs(nudge); i++) value = nextDouble(value, Math.sign(nudge));
        expect([value, places, round(value, places)]).toEqual([value, places, Number(value.toFixed(places))]);
      }),
      { numRuns: 20_000 },
    );
  });

  it('rounds rates as people expect', () => {
    expect(round(1000 / 3)).toBe(333.333);
    expect(round(2 / 3, 6)).toBe(0.666667);
    expect(round(1.0005)).toBe(Number((1.0005).toFixed(3)));
    expect(round(-2.5, 0)).toBe(-3);
    expect(round(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});

/** The next double after `value` towards +∞ (direction 1) or −∞ (−1). */
function nextDouble(value: number, direction: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigInt64(0);
  const up = value >= 0 ? direction > 0 : direction < 0;
  view.setBigInt64(0, value === 0 ? (direction > 0 ? 1n : -9223372036854775807n) : up ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
