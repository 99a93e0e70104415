import { disproportionality } from './disproportionality.js';
import { signalTable } from './signal-table.js';

describe(signalTable.name, () => {
  // Two pigments, two categories: P1 has 20 allergies of 30 reports, P2 has 10 of 110.
  const cells = [
    { subject: 'P1', category: 'allergic_reaction', reports: 20 },
    { subject: 'P1', category: 'inflammation', reports: 10 },
    { subject: 'P2', category: 'allergic_reaction', reports: 10 },
    { subject: 'P2', category: 'inflammation', reports: 100 },
  ];

  it('derives a, b, c and d of each cell from the margins of the whole table', () => {
    const rows = signalTable(cells);
    expect(rows.map(({ subject, category, a, b, c, d }) => ({ subject, category, a, b, c, d }))).toEqual([
      { subject: 'P1', category: 'allergic_reaction', a: 20, b: 10, c: 10, d: 100 },
      { subject: 'P1', category: 'inflammation', a: 10, b: 20, c: 100, d: 10 },
      { subject: 'P2', category: 'allergic_reaction', a: 10, b: 100, c: 20, d: 10 },
      { subject: 'P2', category: 'inflammation', a: 100, b: 10, c: 10, d: 20 },
    ]);
    for (const row of rows) expect(row.total).toBe(140);
  });

  it('gives each row the measures of its own 2×2 table, and flags the disproportionate one', () => {
    const [p1Allergy] = signalTable(cells);
    expect(p1Allergy.prr).toEqual(disproportionality({ a: 20, b: 10, c: 10, d: 100 }).prr);
    // PRR = (20/30) / (10/110) = 7.33…
    expect(p1Allergy.prr!.estimate).toBeCloseTo(7.3333, 3);
    expect(p1Allergy.signals).toEqual({ prr: true, ror: true, ic: true });
  });

  it('sums repeated cells (e.g. one per month) and leaves out cells with no report', () => {
    const rows = signalTable([
      { subject: 'P1', category: 'infection', reports: 2 },
      { subject: 'P1', category: 'infection', reports: 3 },
      { subject: 'P1', category: 'scarring', reports: 0 },
      { subject: 'P2', category: 'scarring', reports: 4 },
    ]);
    expect(rows.map(({ subject, category, a, b, c, d }) => [subject, category, a, b, c, d])).toEqual([
      ['P1', 'infection', 5, 0, 0, 4],
      ['P2', 'scarring', 4, 0, 0, 5],
    ]);
  });

  it('refuses a negative count', () => {
    expect(() => signalTable([{ subject: 'P1', category: 'infection', reports: -1 }])).toThrow(RangeError);
  });
});
