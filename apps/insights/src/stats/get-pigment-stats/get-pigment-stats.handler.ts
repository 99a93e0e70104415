import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { periodOf } from '../../read-model/period.js';
import { rateOf } from '../../read-model/rates.js';
import { PigmentMonths, type PigmentInCountry, type RegisteredPigment } from '../../read-model/pigment-months.js';
import { GetPigmentStatsQuery, type PigmentStats, type PigmentStatsRow } from './get-pigment-stats.query.js';
import type { PigmentLevel } from './get-pigment-stats.request.dto.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

type Labels = Pick<PigmentStatsRow, 'manufacturer' | 'product' | 'batch' | 'pigmentId' | 'month'>;

/** The labels of a pigment's group at each level, in the order groups sort by. */
const LABELS: Record<PigmentLevel, (pigmentId: string, pigment: RegisteredPigment) => Labels> = {
  manufacturer: (_, pigment) => ({ manufacturer: pigment.manufacturer }),
  product: (_, pigment) => ({ manufacturer: pigment.manufacturer, product: pigment.product }),
  batch: (pigmentId, pigment) => ({ manufacturer: pigment.manufacturer, product: pigment.product, batch: pigment.batch, pigmentId }),
};

interface Group {
  labels: Labels;
  procedures: number;
  reports: Map<string, { reports: number; serious: number }>;
}

/**
 * Reports, procedures and rates per manufacturer, product or batch (and per
 * procedure month for the trend) of the registered pigments: numerators from
 * the side-effect counts, denominators from the procedures recorded with each
 * pigment, both held in memory per pigment and country (see PigmentMonths).
 */
@QueryHandler(GetPigmentStatsQuery)
export class GetPigmentStatsHandler implements IQueryHandler<GetPigmentStatsQuery, PigmentStats> {
  constructor(
    private readonly pigments: PigmentMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPigmentStatsQuery): Promise<PigmentStats> {
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
    const groups = new Map<string, Group>();
    const add = (month: string | undefined, { pigmentId, tally }: PigmentInCountry) => {
      const pigment = directory.get(pigmentId);
      // A group has a row when one of its pigments has procedures, or reports (of the category asked for).
      if (!pigment || !tally.present(filter.category)) return;
      const labels = month === undefined ? LABELS[groupBy](pigmentId, pigment) : { ...LABELS[groupBy](pigmentId, pigment), month };
      const key = Object.values(labels).join('\u0000');
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { labels, procedures: 0, reports: new Map() }));
      group.procedures += tally.procedures;
      for (const category of categories) {
        const counts = group.reports.get(category) ?? { reports: 0, serious: 0 };
        counts.reports += tally.reports(category);
        counts.serious += tally.serious(category);
        group.reports.set(category, counts);
      }
    };
    for (const { month, pigments } of stretches) for (const pigment of pigments) add(month, pigment);

    const rows: PigmentStatsRow[] = [];
    const sorted = [...groups.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    for (const [, { labels, procedures, reports }] of sorted) {
      for (const category of categories) {
        const counts = reports.get(category)!;
        rows.push({
          ...labels,
          category,
          procedures,
          reports: counts.reports,
          serious: counts.serious,
          ...rateOf(counts.reports, procedures),
        });
      }
    }
    return { groupBy, from: filter.from ?? null, to: filter.to ?? null, rows };
  }
}
