import fc from 'fast-check';
import { disproportionality } from './disproportionality.js';
import { SignalTable, signalRows, signalTable, type SignalMeasure } from './signal-table.js';

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

describe(SignalTable.name, () => {
  // Matrices of 1-6 subjects × 1-4 categories with small counts (many zeros, so null measures and a = 0 cells occur).
  const matrices = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 })).chain(([subjects, categories]) =>
    fc.record({
      subjects: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: subjects, maxLength: subjects }),
      categories: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: categories, maxLength: categories }),
      counts: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })), {
        minLength: subjects * categories,
        maxLength: subjects * categories,
      }),
      only: fc.option(fc.integer({ min: 0, max: categories - 1 }), { nil: undefined }),
    }),
  );
  const measureOf = (row: ReturnType<typeof signalRows>[number], measure: SignalMeasure): number | null =>
    measure === 'a' ? row.a : measure === 'ic' ? row.ic.estimate : (row[measure]?.estimate ?? null);

  it('holds the rows signalRows gives, with each estimate and criterion equal to the full row’s', () => {
    fc.assert(
      fc.property(matrices, ({ only, ...matrix }) => {
        const include = only === undefined ? undefined : (_: number, category: number) => category === only;
        const table = new SignalTable(matrix, include);
        const rows = signalRows(matrix, include);
        expect(table.length).toBe(rows.length);
        rows.forEach((row, i) => {
          expect(table.row(i)).toEqual(row);
          expect([table.subject(i), table.category(i)]).toEqual([row.subject, row.category]);
          expect(table.counts(i)).toEqual({ a: row.a, b: row.b, c: row.c, d: row.d });
          for (const measure of ['prr', 'ror', 'ic', 'a'] as const) expect(table.estimate(i, measure)).toBe(measureOf(row, measure));
          // Twice: the second answer comes from what the first remembered.
          for (let pass = 0; pass < 2; pass++)
            for (const criterion of ['prr', 'ror', 'ic'] as const) expect(table.meets(i, criterion)).toBe(row.signals[criterion]);
        });
      }),
    );
  });

  it('lists the rows of P1, P2 in name order with their own 2×2 tables (the example above)', () => {
    const table = new SignalTable({ subjects: ['P2', 'P1'], categories: ['inflammation', 'allergic_reaction'], counts: [100, 10, 10, 20] });
    expect(Array.from({ length: table.length }, (_, i) => [table.subject(i), table.category(i), table.counts(i).a])).toEqual([
      ['P1', 'allergic_reaction', 20],
      ['P1', 'inflammation', 10],
      ['P2', 'allergic_reaction', 10],
      ['P2', 'inflammation', 100],
    ]);
    // PRR of P1's allergies = (20/30) / (10/110) = 7.33…; Evans met (PRR ≥ 2, χ² ≥ 4, a ≥ 3), as are ROR and IC.
    expect(table.estimate(0, 'prr')).toBeCloseTo(7.3333, 3);
    expect([table.meets(0, 'prr'), table.meets(0, 'ror'), table.meets(0, 'ic')]).toEqual([true, true, true]);
    // P2's allergies are under-reported: no criterion met.
    expect([table.meets(2, 'prr'), table.meets(2, 'ror'), table.meets(2, 'ic')]).toEqual([false, false, false]);
  });
});
