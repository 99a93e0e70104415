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

/**
 * One row per subject × category with at least one report (a ≥ 1); cells may
 * repeat and are summed. Rows come in subject, then category order.
 */
export function signalTable(cells: readonly ReportCell[]): SignalRow[] {
  const byCell = new Map<string, { subject: string; category: string; reports: number }>();
  const bySubject = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let total = 0;
  for (const cell of cells) {
    assertCount(`reports of ${cell.subject}/${cell.category}`, cell.reports);
    const key = `${cell.subject}\u0000${cell.category}`;
    const entry = byCell.get(key) ?? { subject: cell.subject, category: cell.category, reports: 0 };
    entry.reports += cell.reports;
    byCell.set(key, entry);
    bySubject.set(cell.subject, (bySubject.get(cell.subject) ?? 0) + cell.reports);
    byCategory.set(cell.category, (byCategory.get(cell.category) ?? 0) + cell.reports);
    total += cell.reports;
  }
  return [...byCell.values()]
    .filter((cell) => cell.reports > 0)
    .sort((x, y) => (x.subject === y.subject ? compare(x.category, y.category) : compare(x.subject, y.subject)))
    .map(({ subject, category, reports: a }) => {
      const b = bySubject.get(subject)! - a;
      const c = byCategory.get(category)! - a;
      const d = total - a - b - c;
      // Fields written out rather than spread: a table has thousands of rows, and spreading is several times slower.
      const { total: n, prr, chiSquare, ror, ic, signals } = disproportionality({ a, b, c, d });
      return { subject, category, a, b, c, d, total: n, prr, chiSquare, ror, ic, signals };
    });
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
