import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { compareText, pageOf, type CursorKey, type CursorShape } from '../../read-model/paging.js';
import { periodOf } from '../../read-model/period.js';
import { rateOf } from '../../read-model/rates.js';
import { PigmentMonths, type RegisteredPigment } from '../../read-model/pigment-months.js';
import { GetPigmentStatsQuery, type PigmentStats, type PigmentStatsRow } from './get-pigment-stats.query.js';
import type { PigmentLevel } from './get-pigment-stats.request.dto.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

type Labels = Pick<PigmentStatsRow, 'manufacturer' | 'product' | 'batch' | 'pigmentId'>;

/** The labels of a pigment's group at each level, in the order groups sort by. */
const LABELS: Record<PigmentLevel, (pigmentId: string, pigment: RegisteredPigment) => Labels> = {
  manufacturer: (_, pigment) => ({ manufacturer: pigment.manufacturer }),
  product: (_, pigment) => ({ manufacturer: pigment.manufacturer, product: pigment.product }),
  batch: (pigmentId, pigment) => ({ manufacturer: pigment.manufacturer, product: pigment.product, batch: pigment.batch, pigmentId }),
};

/** The registered pigments' groups at one level: each pigment's group, and the groups' labels in the order they sort by. */
interface Grouping {
  groupOf: ReadonlyMap<string, number>;
  labels: readonly Labels[];
  /** Each group's labels joined, the order groups sort in. */
  keys: readonly string[];
}

/** Groupings per pigment directory (a new directory, a new grouping: the directory is replaced when the registry changes). */
const groupings = new WeakMap<object, Map<PigmentLevel, Grouping>>();

function groupingOf(directory: ReadonlyMap<string, RegisteredPigment>, level: PigmentLevel): Grouping {
  let byLevel = groupings.get(directory);
  if (!byLevel) groupings.set(directory, (byLevel = new Map()));
  let grouping = byLevel.get(level);
  if (grouping) return grouping;
  const byKey = new Map<string, { labels: Labels; pigments: string[] }>();
  for (const [pigmentId, pigment] of directory) {
    const labels = LABELS[level](pigmentId, pigment);
    const key = Object.values(labels).join('\u0000');
    const group = byKey.get(key);
    if (group) group.pigments.push(pigmentId);
    else byKey.set(key, { labels, pigments: [pigmentId] });
  }
  const sorted = [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const groupOf = new Map<string, number>();
  sorted.forEach(([, group], index) => group.pigments.forEach((pigmentId) => groupOf.set(pigmentId, index)));
  byLevel.set(level, (grouping = { groupOf, labels: sorted.map(([, group]) => group.labels), keys: sorted.map(([key]) => key) }));
  return grouping;
}

/**
 * Reports, procedures and rates per manufacturer, product or batch (and per
 * procedure month for the trend) of the registered pigments: numerators from
 * the side-effect counts, denominators from the procedures recorded with each
 * pigment, both held in memory per pigment and country (see PigmentMonths).
 */
@QueryHandler(GetPigmentStatsQuery)
export class GetPigmentStatsHandler implements IQueryHandler<GetPigmentStatsQuery, Answer<PigmentStats>> {
  constructor(
    private readonly pigments: PigmentMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPigmentStatsQuery): Promise<Answer<PigmentStats>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter }: GetPigmentStatsQuery): Promise<PigmentStats> {
    const groupBy = filter.groupBy ?? 'batch';
    const period = periodOf(filter.from, filter.to);
    const [directory, stretches] = await Promise.all([
      this.pigments.directory(),
      filter.byMonth
        ? this.pigments.eachMonth(period, filter.country)
        : this.pigments.window(period, filter.country).then((pigments) => [{ month: undefined, pigments }]),
    ]);
    const categories = filter.category ? [filter.category] : SIDE_EFFECT_CATEGORIES;
    const { groupOf, labels, keys } = groupingOf(directory, groupBy);
    // Each stretch (the period, or each of its months) adds its pigments into their groups, category by category.
    const sums = stretches.map(({ month, pigments }) => {
      const present = new Uint8Array(labels.length);
      const procedures = new Float64Array(labels.length);
      const reports = new Float64Array(labels.length * categories.length);
      const serious = new Float64Array(labels.length * categories.length);
      for (const { pigmentId, tally } of pigments) {
        const group = groupOf.get(pigmentId);
        // A group has a row when one of its pigments has procedures, or reports (of the category asked for).
        if (group === undefined || !tally.present(filter.category)) continue;
        present[group] = 1;
        procedures[group]! += tally.procedures;
        for (let c = 0; c < categories.length; c++) {
          reports[group * categories.length + c]! += tally.reports(categories[c]!);
          serious[group * categories.length + c]! += tally.serious(categories[c]!);
        }
      }
      return { month, present, procedures, reports, serious };
    });

    // Rows as positions, groups in label order, then months in order, then categories: a row is made only for the page.
    const width = categories.length;
    const rows: number[] = [];
    for (let group = 0; group < labels.length; group++)
      sums.forEach(({ present }, stretch) => {
        if (present[group]) for (let c = 0; c < width; c++) rows.push((group * sums.length + stretch) * width + c);
      });
    const at = (row: number) => {
      const c = row % width;
      const stretch = Math.floor(row / width) % sums.length;
      return { group: Math.floor(row / width / sums.length), stretch: sums[stretch]!, c };
    };
    const page = pageOf(
      rows,
      filter,
      {
        keyOf: (row) => {
          const { group, stretch, c } = at(row);
          return [keys[group]!, stretch.month ?? '', categories[c]!];
        },
        compare: comparePigmentRows,
        shape: PIGMENT_CURSOR,
      },
      (row) => {
        const { group, stretch, c } = at(row);
        const { month, procedures, reports, serious } = stretch;
        return rowOf(labels[group]!, month, categories[c]!, procedures[group]!, reports[group * width + c]!, serious[group * width + c]!);
      },
    );
    return { groupBy, from: filter.from ?? null, to: filter.to ?? null, ...page };
  }
}

/** A pigment-stats cursor: the last row's group (its labels joined), month ('' without) and category. */
const PIGMENT_CURSOR: CursorShape = ['string', 'string', 'string'];

const CATEGORY_ORDER = new Map<string, number>(SIDE_EFFECT_CATEGORIES.map((category, i) => [category, i]));

const comparePigmentRows = (x: CursorKey, y: CursorKey): number =>
  compareText(x[0] as string, y[0] as string) ||
  compareText(x[1] as string, y[1] as string) ||
  (CATEGORY_ORDER.get(x[2] as string) ?? -1) - (CATEGORY_ORDER.get(y[2] as string) ?? -1);

/** A row, its fields in the order of PigmentStatsRow and only the labels of its level (written out: no spread per row). */
function rowOf(
  labels: Labels,
  month: string | undefined,
  category: SideEffectCategory,
  procedures: number,
  reports: number,
  serious: number,
): PigmentStatsRow {
  const row: Partial<PigmentStatsRow> = { manufacturer: labels.manufacturer };
  if (labels.product !== undefined) row.product = labels.product;
  if (labels.batch !== undefined) row.batch = labels.batch;
  if (labels.pigmentId !== undefined) row.pigmentId = labels.pigmentId;
  if (month !== undefined) row.month = month;
  const rate = rateOf(reports, procedures);
  row.category = category;
  row.procedures = procedures;
  row.reports = reports;
  row.serious = serious;
  row.ratePer1000 = rate.ratePer1000;
  row.ci95 = rate.ci95;
  return row as PigmentStatsRow;
}
