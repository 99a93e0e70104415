import fc from 'fast-check';
import { disclosedRate, suppressList, suppressTable, type CountTable, type DisclosedCount, type SuppressedTable } from './suppression.js';

/** The published table as a grid: numbers shown, 'S' small count, 'C' complementary, '-' not published. */
function render(result: SuppressedTable): (number | string)[][] {
  const mark = (d: DisclosedCount) => d.value ?? (d.suppression === 'small_count' ? 'S' : 'C');
  const rows = result.cells.map((row, i) => [...row.map(mark), result.rowTotals ? mark(result.rowTotals[i]!) : '-']);
  const columns = result.cells[0]?.length ?? 0;
  const totals = [
    ...Array.from({ length: columns }, (_, j) => (result.columnTotals ? mark(result.columnTotals[j]!) : '-')),
    result.grandTotal ? mark(result.grandTotal) : '-',
  ];
  return [...rows, totals];
}

// ---------------------------------------------------------------------------
// The audit: an attacker's brute force, written without the graph argument of
// the implementation. It enumerates the withheld cells within what the reader
// knows (small counts in [min, max], complementary ones in [max + 1, cap],
// margins recomputed from the cells) and looks, for every withheld figure, for
// an assignment consistent with everything published in which it differs from
// the truth. The cap only narrows the attacker's search (a figure found
// movable within it is movable without it), so the audit can fail wrongly but
// never pass wrongly.
// ---------------------------------------------------------------------------

/** What the reader knows of one figure of the extended table. */
type Knowledge = { kind: 'shown'; value: number } | { kind: 'withheld'; low: number; high: number } | { kind: 'unpublished' };

interface Threshold {
  min: number;
  max: number;
}

function knowledgeOf(result: SuppressedTable, threshold: Threshold): Knowledge[][] {
  const of = (d: DisclosedCount | undefined): Knowledge => {
    if (d === undefined) return { kind: 'unpublished' };
    if (d.value !== null) return { kind: 'shown', value: d.value };
    // When the reasons would disclose, the response must not publish them: the reader knows only "withheld, so not 0".
    if (result.reasonsDisclose) return { kind: 'withheld', low: 1, high: Infinity };
    return d.suppression === 'small_count'
      ? { kind: 'withheld', low: threshold.min, high: threshold.max }
      : { kind: 'withheld', low: threshold.min === 1 ? threshold.max + 1 : 1, high: Infinity };
  };
  const rows = result.cells.map((row, i) => [...row.map(of), of(result.rowTotals?.[i])]);
  const totals = [...result.cells[0]!.map((_, j) => of(result.columnTotals?.[j])), of(result.grandTotal ?? undefined)];
  return [...rows, totals];
}

/** Extended truth: cells, row totals in column C, column totals in row R, grand total at [R][C]. */
function extend(cells: readonly (readonly number[])[]): number[][] {
  const rows = cells.length;
  const columns = cells[0]!.length;
  const table = Array.from({ length: rows + 1 }, (_, i) =>
    Array.from({ length: columns + 1 }, (_, j) => (i < rows && j < columns ? cells[i]![j]! : 0)),
  );
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      table[i]![columns]! += cells[i]![j]!;
      table[rows]![j]! += cells[i]![j]!;
      table[rows]![columns]! += cells[i]![j]!;
    }
  }
  return table;
}

/** Figures [row, column] of the extended table whose true value is the only one consistent with what is published. */
function pinnedFigures(cells: readonly (readonly number[])[], knowledge: Knowledge[][]): [number, number][] {
  const rows = cells.length;
  const columns = cells[0]!.length;
  const truth = extend(cells);
  const cap = Math.max(...cells.flat()) + 5;
  const unknowns: [number, number][] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) if (knowledge[i]![j]!.kind !== 'shown') unknowns.push([i, j]);

  // Lines: each row, each column and the whole table, with the figure that publishes (or not) their sum.
  const lines: { cells: [number, number][]; margin: [number, number] }[] = [];
  for (let i = 0; i < rows; i++) lines.push({ cells: Array.from({ length: columns }, (_, j) => [i, j]), margin: [i, columns] });
  for (let j = 0; j < columns; j++) lines.push({ cells: Array.from({ length: rows }, (_, i) => [i, j]), margin: [rows, j] });
  lines.push({ cells: unknownsAndShown(rows, columns), margin: [rows, columns] });

  const range = (k: Knowledge): [number, number] =>
    k.kind === 'shown' ? [k.value, k.value] : k.kind === 'withheld' ? [k.low, Math.min(k.high, cap)] : [0, Infinity];
  const marginRange = (k: Knowledge): [number, number] =>
    k.kind === 'shown' ? [k.value, k.value] : k.kind === 'withheld' ? [k.low, k.high] : [0, Infinity];

  /** Searches an assignment where `target` differs from the truth; returns the extended table or null. */
  function search(target: [number, number]): number[][] | null {
    const isCell = target[0] < rows && target[1] < columns;
    const targetLine = isCell ? undefined : lines.find((l) => l.margin[0] === target[0] && l.margin[1] === target[1])!;
    const first = (c: [number, number]) =>
      isCell ? c[0] === target[0] && c[1] === target[1] : targetLine!.cells.some((x) => x[0] === c[0] && x[1] === c[1]);
    const order = [...unknowns.filter(first), ...unknowns.filter((c) => !first(c))];
    const value = cells.map((row) => [...row]);
    const assigned = cells.map((row, i) => row.map((_, j) => knowledge[i]![j]!.kind === 'shown'));
    let nodes = 0;

    const consistent = (): boolean => {
      for (const line of lines) {
        let low = 0;
        let high = 0;
        for (const [i, j] of line.cells) {
          if (assigned[i]![j]) {
            low += value[i]![j]!;
            high += value[i]![j]!;
          } else {
            const [a, b] = range(knowledge[i]![j]!);
            low += a;
            high += b;
          }
        }
        const [a, b] = marginRange(knowledge[line.margin[0]]![line.margin[1]]!);
        if (high < a || low > b) return false;
        if (line === targetLine) {
          const t = truth[target[0]]![target[1]]!;
          if (low === t && high === t) return false;
        }
      }
      return true;
    };

    const walk = (k: number): boolean => {
      if (++nodes > 2_000_000) throw new Error('audit budget exhausted');
      if (k === order.length) return true;
      const [i, j] = order[k]!;
      const [low, high] = range(knowledge[i]![j]!);
      const t = truth[i]![j]!;
      const candidates = Array.from({ length: high - low + 1 }, (_, n) => low + n)
        .filter((v) => !(isCell && i === target[0] && j === target[1] && v === t))
        .sort((a, b) => Math.abs(a - t) - Math.abs(b - t) || a - b);
      for (const v of candidates) {
        value[i]![j] = v;
        assigned[i]![j] = true;
        if (consistent() && walk(k + 1)) return true;
        assigned[i]![j] = false;
      }
      return false;
    };

    return consistent() && walk(0) ? extend(value) : null;
  }

  const moved = truth.map((row) => row.map(() => false));
  const pinned: [number, number][] = [];
  for (let i = 0; i <= rows; i++) {
    for (let j = 0; j <= columns; j++) {
      if (knowledge[i]![j]!.kind !== 'withheld' || moved[i]![j]) continue;
      const other = search([i, j]);
      if (other === null) {
        pinned.push([i, j]);
        continue;
      }
      other.forEach((row, a) => row.forEach((v, b) => (moved[a]![b] ||= v !== truth[a]![b])));
    }
  }
  return pinned;
}

function unknownsAndShown(rows: number, columns: number): [number, number][] {
  const all: [number, number][] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) all.push([i, j]);
  return all;
}

/** Knowledge for a hand-made suppression: `withheld` maps "i,j" of the extended table to its reason. */
function handKnowledge(
  cells: number[][],
  publish: { rowTotals: boolean; columnTotals: boolean; grandTotal: boolean },
  withheld: Record<string, 'S' | 'C'>,
): Knowledge[][] {
  const truth = extend(cells);
  const rows = cells.length;
  const columns = cells[0]!.length;
  return truth.map((row, i) =>
    row.map((value, j): Knowledge => {
      const published =
        (i < rows && j < columns) || (i < rows ? publish.rowTotals : j < columns ? publish.columnTotals : publish.grandTotal);
      if (!published) return { kind: 'unpublished' };
      const reason = withheld[`${i},${j}`];
      if (reason === 'S') return { kind: 'withheld', low: 1, high: 10 };
      if (reason === 'C') return { kind: 'withheld', low: 11, high: Infinity };
      return { kind: 'shown', value };
    }),
  );
}

// Random tables with many zeros and many small counts.
function count(max: number, small = 10): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: small }) },
    { weight: 3, arbitrary: fc.integer({ min: small + 1, max: Math.max(small + 1, max) }) },
  );
}

function tables(maxRows: number, maxColumns: number, counts: fc.Arbitrary<number>): fc.Arbitrary<CountTable> {
  return fc.tuple(fc.integer({ min: 1, max: maxRows }), fc.integer({ min: 1, max: maxColumns })).chain(([rows, columns]) =>
    fc.record({
      cells: fc.array(fc.array(counts, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }),
      rowTotals: fc.boolean(),
      columnTotals: fc.boolean(),
      grandTotal: fc.option(fc.boolean(), { nil: undefined }),
    }),
  );
}

/** Every figure of the extended table with its truth and disclosure ('-' when not published). */
function figures(table: CountTable, result: SuppressedTable): { truth: number; disclosed: DisclosedCount | null }[][] {
  const truth = extend(table.cells);
  const rows = table.cells.length;
  const columns = table.cells[0]!.length;
  return truth.map((line, i) =>
    line.map((value, j) => ({
      truth: value,
      disclosed:
        i < rows && j < columns
          ? result.cells[i]![j]!
          : i < rows
            ? (result.rowTotals?.[i] ?? null)
            : j < columns
              ? (result.columnTotals?.[j] ?? null)
              : result.grandTotal,
    })),
  );
}

describe(suppressTable.name, () => {
  const sut = suppressTable;
  const margins = { rowTotals: true, columnTotals: true };

  describe('worked examples', () => {
    /*
     * One clinic, three categories, its total shown: 3 alone would be 68 − 40 − 25.
     * The smallest other non-zero count in the row (25) goes too; then
     * 3 + 25 = 28 with 3 in [1, 10] and 25 ≥ 11 leaves 3 anywhere in 1..10.
     */
    it('a clinic with one small category and a shown total loses its smallest other category too', () => {
      expect(render(sut({ cells: [[3, 40, 25]], rowTotals: true }))).toEqual([
        ['S', 40, 'C', 68],
        ['-', '-', '-', '-'],
      ]);
    });

    it('takes the smallest non-zero count of the line, not the first', () => {
      expect(render(sut({ cells: [[3, 40, 0, 12, 25]], rowTotals: true }))[0]).toEqual(['S', 40, 0, 'C', 25, 80]);
    });

    it('handles an empty table and an empty list', () => {
      expect(sut({ cells: [], rowTotals: true, columnTotals: true })).toEqual({
        cells: [],
        rowTotals: [],
        columnTotals: [],
        grandTotal: { value: 0, suppression: null },
        reasonsDisclose: false,
      });
      expect(suppressList([])).toEqual({ items: [], total: { value: 0, suppression: null }, reasonsDisclose: false });
    });

    it('withholds nothing else when no total is published', () => {
      expect(render(sut({ cells: [[3, 40, 25]] }))).toEqual([
        ['S', 40, 25, '-'],
        ['-', '-', '-', '-'],
      ]);
    });

    /*
     * Two small counts whose sum the total leaves at 32 − 30 = 2: each is at
     * least 1, so both would be 1. The 30 is withheld too.
     */
    it('does not let two withheld small counts be pinned by their lower bound of 1', () => {
      expect(render(sut({ cells: [[1, 1, 30]], rowTotals: true }))).toEqual([
        ['S', 'S', 'C', 32],
        ['-', '-', '-', '-'],
      ]);
    });

    /*
     * The upper bound pins too: two small counts adding up to 20 are both 10.
     * The total goes (then each is anywhere in 1..10).
     */
    it('does not let two withheld small counts be pinned by their upper bound of 10', () => {
      const result = suppressList([10, 10]);
      expect(result.items.map((d) => d.suppression)).toEqual(['small_count', 'small_count']);
      expect(result.total).toEqual({ value: null, suppression: 'complementary' });
    });

    it('shows zeros, and a row of zeros and large counts untouched', () => {
      expect(render(sut({ cells: [[0, 0, 50]], ...margins }))).toEqual([
        [0, 0, 50, 50],
        [0, 0, 50, 50],
      ]);
    });

    /*
     * 2 × 2 with all margins and one small cell: cells before margins, so the
     * whole interior goes (20 + 30 + 40 = 90 lost) rather than 25, 35 and 95.
     * Reader: a + b = 25, a + c = 35, c + d = 70, b, c, d ≥ 11 → a in 1..10.
     */
    it('protects a small cell of a table with all margins by a rectangle of cells', () => {
      expect(
        render(
          sut({
            cells: [
              [5, 20],
              [30, 40],
            ],
            ...margins,
          }),
        ),
      ).toEqual([
        ['S', 'C', 25],
        ['C', 'C', 70],
        [35, 60, 95],
      ]);
    });

    /*
     * Procedures per clinic and the network's: 4 = 424 − 120 − 300, so the
     * smallest other clinic (120) is withheld.
     */
    it('protects a small clinic in a list with its total', () => {
      const result = suppressList([120, 4, 300]);
      expect(result.items.map((d) => d.value ?? d.suppression)).toEqual(['complementary', 'small_count', 300]);
      expect(result.total).toEqual({ value: 424, suppression: null });
    });

    /*
     * [11, 1] with total 12: withholding the 11 is not enough for a reader who
     * knows a complementary count is ≥ 11, since 1 + x = 12 with x ≥ 11 gives
     * 1. The total goes instead: then 1 = total − 11 with the total unknown.
     */
    it('withholds the total when the only other count is at the threshold', () => {
      const result = suppressList([11, 1]);
      expect(result.items.map((d) => d.value ?? d.suppression)).toEqual([11, 'small_count']);
      expect(result.total).toEqual({ value: null, suppression: 'complementary' });
    });

    it('withholds a small total, and reports why', () => {
      expect(render(sut({ cells: [[2, 3]], ...margins }))).toEqual([
        ['S', 'S', 'S'],
        ['S', 'S', 'S'],
      ]);
    });

    /*
     * Ten clinics with one procedure each: the network total 10 is small too,
     * so a reader told which figures are small counts knows ten numbers ≥ 1
     * add up to at most 10: all are 1, whatever else is withheld. The result
     * says so; published without reasons, the figures are safe.
     */
    it('says when the reasons themselves would disclose', () => {
      const counts = Array.from({ length: 10 }, () => 1);
      const result = suppressList(counts);
      expect(result.reasonsDisclose).toBe(true);
      expect(result.items.every((d) => d.suppression === 'small_count') && result.total!.suppression === 'small_count').toBe(true);
      const cells = counts.map((c) => [c]);
      const told = knowledgeOf(sut({ cells, columnTotals: true }), { min: 1, max: 10 });
      expect(pinnedFigures(cells, told)).toEqual([]);
      const withReasons = handKnowledge(
        cells,
        { rowTotals: false, columnTotals: true, grandTotal: false },
        Object.fromEntries(counts.map((_, i) => [`${i},0`, 'S'] as const).concat([['10,0', 'S']])),
      );
      expect(pinnedFigures(cells, withReasons)).toHaveLength(11);
      expect(suppressList([1, 1, 1, 12]).reasonsDisclose).toBe(false);
    });

    it('takes a list without a total as is', () => {
      const result = suppressList([5, 0, 40], { total: false });
      expect(result.items.map((d) => d.value ?? d.suppression)).toEqual(['small_count', 0, 40]);
      expect(result.total).toBeNull();
    });

    it('uses the threshold given', () => {
      expect(render(sut({ cells: [[3, 40, 25]] }, { min: 1, max: 2 }))).toEqual([
        [3, 40, 25, '-'],
        ['-', '-', '-', '-'],
      ]);
    });

    it('rejects bad counts, ragged rows and a threshold that discloses by itself', () => {
      expect(() => sut({ cells: [[1, -1]] })).toThrow(RangeError);
      expect(() => sut({ cells: [[1.5]] })).toThrow(RangeError);
      expect(() => sut({ cells: [[1, 2], [3]] })).toThrow(RangeError);
      expect(() => sut({ cells: [[1]] }, { min: 0, max: 10 })).toThrow(RangeError);
      expect(() => sut({ cells: [[1]] }, { min: 5, max: 5 })).toThrow(RangeError);
    });
  });

  describe('the audit (an attacker who enumerates every table consistent with the response)', () => {
    const publishRow = { rowTotals: true, columnTotals: false, grandTotal: false };
    const publishAll = { rowTotals: true, columnTotals: true, grandTotal: true };

    it('catches a small count recoverable by subtraction', () => {
      expect(pinnedFigures([[3, 40, 25]], handKnowledge([[3, 40, 25]], publishRow, { '0,0': 'S' }))).toEqual([[0, 0]]);
    });

    it('catches two small counts pinned by their lower bound', () => {
      expect(pinnedFigures([[1, 1, 30]], handKnowledge([[1, 1, 30]], publishRow, { '0,0': 'S', '0,1': 'S' }))).toEqual([
        [0, 0],
        [0, 1],
      ]);
    });

    it('catches a complementary count at the threshold that pins its partner', () => {
      const cells = [[11], [1]];
      const publish = { rowTotals: false, columnTotals: true, grandTotal: false };
      expect(pinnedFigures(cells, handKnowledge(cells, publish, { '0,0': 'C', '1,0': 'S' }))).toEqual([
        [0, 0],
        [1, 0],
      ]);
    });

    it('catches a withheld total that the shown totals add up to', () => {
      const cells = [
        [20, 30],
        [40, 50],
      ];
      expect(pinnedFigures(cells, handKnowledge(cells, publishAll, { '2,2': 'C' }))).toEqual([[2, 2]]);
    });

    it('accepts the hand-protected 2 × 2 rectangle', () => {
      const cells = [
        [5, 20],
        [30, 40],
      ];
      expect(pinnedFigures(cells, handKnowledge(cells, publishAll, { '0,0': 'S', '0,1': 'C', '1,0': 'C', '1,1': 'C' }))).toEqual([]);
    });

    it('finds every lone unknown in a line of primary-only suppression (the audit is not blind)', () => {
      fc.assert(
        fc.property(tables(3, 3, count(15)), (table) => {
          const cells = table.cells.map((row) => [...row]);
          const publish = {
            rowTotals: !!table.rowTotals,
            columnTotals: !!table.columnTotals,
            grandTotal: !!table.rowTotals && !!table.columnTotals,
          };
          const withheld: Record<string, 'S'> = {};
          extend(cells).forEach((row, i) => row.forEach((v, j) => v >= 1 && v <= 10 && (withheld[`${i},${j}`] = 'S')));
          const knowledge = handKnowledge(cells, publish, withheld);
          const pinned = new Set(pinnedFigures(cells, knowledge).map(([i, j]) => `${i},${j}`));
          // A row whose total is shown and whose only unknown is one cell: that cell is pinned.
          cells.forEach((row, i) => {
            if (knowledge[i]![row.length]!.kind !== 'shown') return;
            const unknown = row.map((_, j) => j).filter((j) => knowledge[i]![j]!.kind !== 'shown');
            if (unknown.length === 1) expect(pinned.has(`${i},${unknown[0]}`)).toBe(true);
          });
        }),
        { numRuns: 200, seed: 5 },
      );
    });

    it('finds no withheld figure with a single possible value in any suppressed table up to 3 × 3 (threshold 1–10, counts to 15)', () => {
      fc.assert(
        fc.property(tables(3, 3, count(15)), (table) => {
          const result = sut(table);
          expect(pinnedFigures(table.cells, knowledgeOf(result, { min: 1, max: 10 }))).toEqual([]);
        }),
        { numRuns: 1000, seed: 2026 },
      );
    });

    it('finds none in lists of up to 6 counts with their total', () => {
      fc.assert(
        fc.property(fc.array(count(15), { minLength: 1, maxLength: 6 }), (counts) => {
          const cells = counts.map((c) => [c]);
          const result = sut({ cells, columnTotals: true });
          expect(pinnedFigures(cells, knowledgeOf(result, { min: 1, max: 10 }))).toEqual([]);
        }),
        { numRuns: 300, seed: 11 },
      );
    });

    it('finds none either with threshold 1–3 and counts to 8 (more complementary choices)', () => {
      fc.assert(
        fc.property(tables(3, 3, count(8, 3)), (table) => {
          const result = sut(table, { min: 1, max: 3 });
          expect(pinnedFigures(table.cells, knowledgeOf(result, { min: 1, max: 3 }))).toEqual([]);
        }),
        { numRuns: 1000, seed: 7 },
      );
    });
  });

  describe('properties on random tables', () => {
    const arbitrary = tables(7, 6, count(60));

    it('shows no published count from 1 to 10, shows every zero and shows the true value', () => {
      fc.assert(
        fc.property(arbitrary, (table) => {
          const result = sut(table);
          for (const { truth, disclosed } of figures(table, result).flat()) {
            if (disclosed === null) continue;
            if (truth >= 1 && truth <= 10) expect(disclosed).toEqual({ value: null, suppression: 'small_count' });
            else if (disclosed.value !== null) expect(disclosed.value).toBe(truth);
            else expect(disclosed.suppression).toBe('complementary');
            if (truth === 0) expect(disclosed.value).toBe(0);
          }
        }),
        { numRuns: 300, seed: 1 },
      );
    });

    it('leaves every row and column of the extended table with 0 or at least 2 unknown terms', () => {
      fc.assert(
        fc.property(arbitrary, (table) => {
          const grid = figures(table, sut(table));
          const unknown = (f: { disclosed: DisclosedCount | null }) => f.disclosed === null || f.disclosed.value === null;
          // A line with a single unknown term gives it away, unless that term is a total that is not published anyway.
          const lines = [...grid, ...grid[0]!.map((_, j) => grid.map((line) => line[j]!))];
          for (const line of lines) {
            const unknowns = line.filter(unknown);
            if (unknowns.length === 1) expect(unknowns[0]!.disclosed).toBeNull();
          }
        }),
        { numRuns: 300, seed: 3 },
      );
    });

    it('is deterministic', () => {
      fc.assert(
        fc.property(arbitrary, (table) => {
          const copy = { ...table, cells: table.cells.map((row) => [...row]) };
          expect(sut(copy)).toEqual(sut(table));
        }),
        { numRuns: 200, seed: 4 },
      );
    });
  });
});

describe(disclosedRate.name, () => {
  const sut = disclosedRate;
  const shown = (value: number): DisclosedCount => ({ value, suppression: null });

  it('is the rate per 1,000 from shown counts', () => {
    expect(sut(shown(12), shown(4000))).toBe(3);
    expect(sut(shown(0), shown(250))).toBe(0);
    expect(sut(shown(12), shown(400), 100)).toBe(3);
  });

  it('is null when the numerator or the denominator is withheld, or there are no procedures', () => {
    expect(sut({ value: null, suppression: 'small_count' }, shown(400))).toBeNull();
    expect(sut(shown(0), { value: null, suppression: 'complementary' })).toBeNull();
    expect(sut(shown(0), shown(0))).toBeNull();
  });

  it('follows the suppression of a list: the withheld clinics get no rate', () => {
    const reports = suppressList([0, 14, 3]);
    const procedures = suppressList([200, 900, 150]);
    expect(reports.items.map((r, i) => sut(r, procedures.items[i]!))).toEqual([0, null, null]);
  });
});
