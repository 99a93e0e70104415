/**
 * The disproportionality table of every subject (pigment batch) × category,
 * built from report counts per cell, as pharmacovigilance agencies screen a
 * spontaneous-report database: for one cell, a = reports of this subject with
 * this category, b = this subject's other reports, c = this category's
 * reports for other subjects, d = everything else (see disproportionality.ts).
 */
import { disproportionality, type Disproportionality } from './disproportionality.js';
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
  const { subjects, categories, counts } = matrix;
  const width = categories.length;
  if (counts.length !== subjects.length * width) {
    throw new RangeError(`${counts.length} counts for ${subjects.length} subjects × ${width} categories`);
  }
  const bySubject = new Float64Array(subjects.length);
  const byCategory = new Float64Array(width);
  let total = 0;
  for (let s = 0; s < subjects.length; s++)
    for (let c = 0; c < width; c++) {
      const reports = counts[s * width + c]!;
      // The message is built only for a count that fails (thousands of counts per table).
      if (!(Number.isInteger(reports) && reports >= 0)) assertCount(`reports of ${subjects[s]}/${categories[c]}`, reports);
      bySubject[s]! += reports;
      byCategory[c]! += reports;
      total += reports;
    }
  const rows: SignalRow[] = [];
  for (const s of orderOf(subjects))
    for (const c of orderOf(categories)) {
      const a = counts[s * width + c]!;
      if (a <= 0 || (include && !include(s, c))) continue;
      const b = bySubject[s]! - a;
      const cc = byCategory[c]! - a;
      const d = total - a - b - cc;
      // Fields written out rather than spread: a table has thousands of rows, and spreading is several times slower.
      const { total: n, prr, chiSquare, ror, ic, signals } = disproportionality({ a, b, c: cc, d });
      rows.push({ subject: subjects[s]!, category: categories[c]!, a, b, c: cc, d, total: n, prr, chiSquare, ror, ic, signals });
    }
  return rows;
}

/** The positions of `names` in name order. */
function orderOf(names: readonly string[]): number[] {
  return names.map((_, i) => i).sort((x, y) => compare(names[x]!, names[y]!));
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
