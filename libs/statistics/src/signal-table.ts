/**
 * The disproportionality table of every subject (pigment batch) × category,
 * built from report counts per cell, as pharmacovigilance agencies screen a
 * spontaneous-report database: for one cell, a = reports of this subject with
 * this category, b = this subject's other reports, c = this category's
 * reports for other subjects, d = everything else (see disproportionality.ts).
 */
import { disproportionality, icEstimate, prrEstimate, rorEstimate, type Disproportionality } from './disproportionality.js';
import { assertCount } from './validate.js';

export interface ReportCell {
  subject: string;
  category: string;
  reports: number;
}

export interface SignalRow extends Disproportionality {
  subject: string;
  category: string;
  a: number;
  b: number;
  c: number;
  d: number;
}

/** Report counts of distinct subjects × categories, row by row: counts[s × categories.length + c]. */
export interface ReportMatrix {
  subjects: readonly string[];
  categories: readonly string[];
  counts: ArrayLike<number>;
}

/**
 * One row per subject × category with at least one report (a ≥ 1); cells may
 * repeat and are summed. Rows come in subject, then category order.
 */
export function signalTable(cells: readonly ReportCell[]): SignalRow[] {
  const subjects = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const cell of cells) {
    assertCount(`reports of ${cell.subject}/${cell.category}`, cell.reports);
    if (!subjects.has(cell.subject)) subjects.set(cell.subject, subjects.size);
    if (!categories.has(cell.category)) categories.set(cell.category, categories.size);
  }
  const counts = new Float64Array(subjects.size * categories.size);
  for (const cell of cells) counts[subjects.get(cell.subject)! * categories.size + categories.get(cell.category)!]! += cell.reports;
  return signalRows({ subjects: [...subjects.keys()], categories: [...categories.keys()], counts });
}

/**
 * signalTable of a matrix of counts: the same rows in the same order, without an object per cell. Every count makes
 * the margins (b, c and d), but only the rows `include` accepts (by subject and category position) are computed and
 * returned: a screen of one category needs the whole table's margins and one column's statistics.
 */
export function signalRows(matrix: ReportMatrix, include?: (subject: number, category: number) => boolean): SignalRow[] {
  const table = new SignalTable(matrix, include);
  const rows: SignalRow[] = [];
  for (let row = 0; row < table.length; row++) rows.push(table.row(row));
  return rows;
}

/** A measure a signal table can be sorted by: one of the three ratios' estimates, or the count a. */
export type SignalMeasure = 'prr' | 'ror' | 'ic' | 'a';

/** Evans (PRR), ROR or IC: the criteria a row can meet (see Disproportionality's signals). */
export type SignalCriterion = keyof Disproportionality['signals'];

/** Bits of SignalTable's remembered criteria: each criterion met, and whether the row's were worked out. */
const MEETS: Record<SignalCriterion, number> = { prr: 1, ror: 2, ic: 4 };
const KNOWN = 8;

/**
 * The rows of signalRows held column-wise: a row is its cell's position in the matrix, and its 2×2 table, estimates
 * and intervals are worked out when asked for. A table of thousands of rows that a screen sorts by one measure and
 * shows a page of thus costs a few bytes a row and the statistics of the rows shown, not an object graph of every
 * row's intervals. Row numbers run in subject, then category name order. It keeps `matrix` (do not change it).
 */
export class SignalTable {
  /** How many rows: cells with a ≥ 1 that `include` accepts. */
  readonly length: number;
  /** Each row's cell: subject position × categories + category position. */
  private readonly cells: Int32Array;
  private readonly bySubject: Float64Array;
  private readonly byCategory: Float64Array;
  private readonly total: number;
  /** Per row, the criteria met (MEETS) once worked out (KNOWN). */
  private readonly criteria: Uint8Array;

  constructor(
    private readonly matrix: ReportMatrix,
    include?: (subject: number, category: number) => boolean,
  ) {
    const { subjects, categories, counts } = matrix;
    const width = categories.length;
    if (counts.length !== subjects.length * width) {
      throw new RangeError(`${counts.length} counts for ${subjects.length} subjects × ${width} categories`);
    }
    this.bySubject = new Float64Array(subjects.length);
    this.byCategory = new Float64Array(width);
    let total = 0;
    let length = 0;
    for (let s = 0; s < subjects.length; s++)
      for (let c = 0; c < width; c++) {
        const reports = counts[s * width + c]!;
        // The message is built only for a count that fails (thousands of counts per table).
        if (!(Number.isInteger(reports) && reports >= 0)) assertCount(`reports of ${subjects[s]}/${categories[c]}`, reports);
        this.bySubject[s]! += reports;
        this.byCategory[c]! += reports;
        total += reports;
        if (reports > 0 && (!include || include(s, c))) length++;
      }
    this.total = total;
    this.cells = new Int32Array(length);
    let row = 0;
    const categoryOrder = orderOf(categories);
    for (const s of orderOf(subjects))
      for (const c of categoryOrder) {
        const cell = s * width + c;
        if (counts[cell]! > 0 && (!include || include(s, c))) this.cells[row++] = cell;
      }
    this.length = length;
    this.criteria = new Uint8Array(length);
  }

  subject(row: number): string {
    return this.matrix.subjects[Math.floor(this.cells[row]! / this.matrix.categories.length)]!;
  }

  category(row: number): string {
    return this.matrix.categories[this.cells[row]! % this.matrix.categories.length]!;
  }

  /** The row's 2×2 table. */
  counts(row: number): { a: number; b: number; c: number; d: number } {
    const cell = this.cells[row]!;
    const width = this.matrix.categories.length;
    const a = this.matrix.counts[cell]!;
    const b = this.bySubject[Math.floor(cell / width)]! - a;
    const c = this.byCategory[cell % width]! - a;
    return { a, b, c, d: this.total - a - b - c };
  }

  /** The row's estimate of `measure` (a itself for 'a'), as row(row) gives it; null where that measure is null. */
  estimate(row: number, measure: SignalMeasure): number | null {
    const { a, b, c, d } = this.counts(row);
    return measure === 'prr'
      ? prrEstimate(a, b, c, d)
      : measure === 'ror'
        ? rorEstimate(a, b, c, d)
        : measure === 'ic'
          ? icEstimate(a, b, c, d)
          : a;
  }

  /** Whether the row meets `criterion`; worked out once per row (all three criteria together). */
  meets(row: number, criterion: SignalCriterion): boolean {
    let bits = this.criteria[row]!;
    if (!(bits & KNOWN)) {
      const { signals } = disproportionality(this.counts(row));
      bits = KNOWN | (signals.prr ? MEETS.prr : 0) | (signals.ror ? MEETS.ror : 0) | (signals.ic ? MEETS.ic : 0);
      this.criteria[row] = bits;
    }
    return (bits & MEETS[criterion]) !== 0;
  }

  /** The whole row, a fresh object each time. */
  row(row: number): SignalRow {
    const { a, b, c, d } = this.counts(row);
    // Fields written out rather than spread: a table has thousands of rows, and spreading is several times slower.
    const { total, prr, chiSquare, ror, ic, signals } = disproportionality({ a, b, c, d });
    return { subject: this.subject(row), category: this.category(row), a, b, c, d, total, prr, chiSquare, ror, ic, signals };
  }

  /** Heap bytes the table holds beyond its matrix, for a cache's budget. An estimate. */
  get bytes(): number {
    return 200 + this.length * 5 + (this.bySubject.length + this.byCategory.length) * 8;
  }
}

/** The positions of `names` in name order. */
function orderOf(names: readonly string[]): number[] {
  return names.map((_, i) => i).sort((x, y) => compare(names[x]!, names[y]!));
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
