import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { disclosedRate, suppressList, suppressTable, type DisclosedCount, type SuppressionReason } from '@smp/statistics';
import { round } from '../read-model/rates.js';

/** Why a figure is withheld; 'withheld' when naming the reason would itself disclose it. */
export type PublicReason = SuppressionReason | 'withheld';

export interface PublicFigure {
  reports: number | null;
  ratePer1000: number | null;
  suppressed: PublicReason | null;
}

export interface PublicRow<Labels> {
  labels: Labels;
  procedures: number | null;
  reports: number | null;
  ratePer1000: number | null;
  categories: Record<SideEffectCategory, PublicFigure>;
  suppressed: { procedures?: PublicReason; reports?: PublicReason };
}

export interface Suppression {
  threshold: { min: number; max: number };
  complementary: true;
  explanation: string;
}

export interface PublicTable<Labels> {
  suppression: Suppression;
  rows: Array<Labels & Omit<PublicRow<Labels>, 'labels'>>;
  network: Omit<PublicRow<Labels>, 'labels'>;
}

const THRESHOLD = { min: 1, max: 10 };

export const SUPPRESSION: Suppression = {
  threshold: THRESHOLD,
  complementary: true,
  explanation:
    'Counts from 1 to 10 are withheld (shown as null), and so is every rate built on one, because a small number of reports ' +
    'from one clinic could identify the people behind them. Some larger figures are withheld too ("complementary"), so that ' +
    'no withheld count can be worked out by subtracting the other figures from a total. A 0 is shown: it identifies nobody.',
};

export interface PublicInput<Labels> {
  labels: Labels;
  procedures: number;
  reports: Partial<Record<string, number>>;
}

/**
 * The public form of a table of reports (rows × categories, with row, column
 * and grand totals) and of its procedures (a list with its total): small
 * counts and the figures that would reveal them withheld, rates only where
 * both their counts are shown.
 */
export function publicTable<Labels>(inputs: ReadonlyArray<PublicInput<Labels>>): PublicTable<Labels> {
  const categories = SIDE_EFFECT_CATEGORIES;
  if (inputs.length === 0) {
    // Nothing to protect: the network figures are all shown zeros.
    const zero = { value: 0, suppression: null };
    return { suppression: SUPPRESSION, rows: [], network: emptyRow(categories, zero) };
  }
  const reports = suppressTable(
    { cells: inputs.map((input) => categories.map((category) => input.reports[category] ?? 0)), rowTotals: true, columnTotals: true },
    THRESHOLD,
  );
  const procedures = suppressList(
    inputs.map((input) => input.procedures),
    { ...THRESHOLD, total: true },
  );
  const hideReasons = reports.reasonsDisclose || procedures.reasonsDisclose;
  const reason = (figure: DisclosedCount): PublicReason | null =>
    figure.suppression === null ? null : hideReasons ? 'withheld' : figure.suppression;
  const rate = (count: DisclosedCount, denominator: DisclosedCount): number | null => {
    const value = disclosedRate(count, denominator);
    return value === null ? null : round(value);
  };
  const row = (cells: DisclosedCount[], total: DisclosedCount, denominator: DisclosedCount): Omit<PublicRow<Labels>, 'labels'> => {
    const suppressed: PublicRow<Labels>['suppressed'] = {};
    if (reason(denominator)) suppressed.procedures = reason(denominator)!;
    if (reason(total)) suppressed.reports = reason(total)!;
    return {
      procedures: denominator.value,
      reports: total.value,
      ratePer1000: rate(total, denominator),
      categories: Object.fromEntries(
        categories.map((category, j) => [
          category,
          { reports: cells[j]!.value, ratePer1000: rate(cells[j]!, denominator), suppressed: reason(cells[j]!) },
        ]),
      ) as Record<SideEffectCategory, PublicFigure>,
      suppressed,
    };
  };
  return {
    suppression: SUPPRESSION,
    rows: inputs.map((input, i) => ({ ...input.labels, ...row(reports.cells[i]!, reports.rowTotals![i]!, procedures.items[i]!) })),
    network: row(reports.columnTotals ?? [], reports.grandTotal!, procedures.total!),
  };
}

function emptyRow(categories: readonly SideEffectCategory[], zero: DisclosedCount) {
  return {
    procedures: zero.value,
    reports: zero.value,
    ratePer1000: null,
    categories: Object.fromEntries(categories.map((category) => [category, { reports: 0, ratePer1000: null, suppressed: null }])) as Record<
      SideEffectCategory,
      PublicFigure
    >,
    suppressed: {},
  };
}
