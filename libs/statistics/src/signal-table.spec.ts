import { disproportionality } from './disproportionality.js';
import { signalRows, signalTable } from './signal-table.js';

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

describe(signalRows.name, () => {
  // The example above as a matrix, subjects and categories given out of name order.
  const matrix = {
    subjects: ['P2', 'P1'],
    categories: ['inflammation', 'allergic_reaction'],
    counts: Int32Array.of(100, 10, 10, 20),
  };

  it('gives the rows signalTable gives for the same counts, in subject then category order', () => {
    const rows = signalRows(matrix);
    expect(rows.map(({ subject, category, a, b, c, d }) => ({ subject, category, a, b, c, d }))).toEqual([
      { subject: 'P1', category: 'allergic_reaction', a: 20, b: 10, c: 10, d: 100 },
      { subject: 'P1', category: 'inflammation', a: 10, b: 20, c: 100, d: 10 },
      { subject: 'P2', category: 'allergic_reaction', a: 10, b: 100, c: 20, d: 10 },
      { subject: 'P2', category: 'inflammation', a: 100, b: 10, c: 10, d: 20 },
    ]);
    expect(rows[0]!.prr).toEqual(disproportionality({ a: 20, b: 10, c: 10, d: 100 }).prr);
  });

  it('scores only the rows asked for, with the margins of the whole table', () => {
    const allergy = signalRows(matrix, (_, category) => category === 1);
    expect(allergy.map(({ subject, a, b, c, d }) => [subject, a, b, c, d])).toEqual([
      ['P1', 20, 10, 10, 100],
      ['P2', 10, 100, 20, 10],
    ]);
  });

  it('refuses counts that do not fill the matrix, and a negative count', () => {
    expect(() => signalRows({ ...matrix, counts: [1, 2, 3] })).toThrow('3 counts for 2 subjects × 2 categories');
    expect(() => signalRows({ ...matrix, counts: [1, 2, -3, 4] })).toThrow('reports of P1/inflammation must be a non-negative integer');
  });
});
