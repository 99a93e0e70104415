import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { periodOf } from '../../read-model/period.js';
import { rateOf } from '../../read-model/rates.js';
import { SqlFilter } from '@smp/persistence';
import { GetPigmentStatsQuery, type PigmentStats, type PigmentStatsRow } from './get-pigment-stats.query.js';
import type { PigmentLevel } from './get-pigment-stats.request.dto.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

const GROUP_COLUMNS: Record<PigmentLevel, string[]> = {
  manufacturer: ['manufacturer'],
  product: ['manufacturer', 'product'],
  batch: ['manufacturer', 'product', 'batch', 'pigment_id'],
};

const FIELD: Record<string, keyof PigmentStatsRow> = {
  manufacturer: 'manufacturer',
  product: 'product',
  batch: 'batch',
  pigment_id: 'pigmentId',
};

type Grouped = Record<string, string | number>;

/**
 * Reports, procedures and rates per manufacturer, product or batch (and per
 * procedure month for the trend): numerators from the side-effect counts,
 * denominators from the procedures recorded with each pigment.
 */
@QueryHandler(GetPigmentStatsQuery)
export class GetPigmentStatsHandler implements IQueryHandler<GetPigmentStatsQuery, PigmentStats> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPigmentStatsQuery): Promise<PigmentStats> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter }: GetPigmentStatsQuery): Promise<PigmentStats> {
    const groupBy = filter.groupBy ?? 'batch';
    const period = periodOf(filter.from, filter.to);
    const columns = [
      ...GROUP_COLUMNS[groupBy].map((column) => `p.${column}`),
      ...(filter.byMonth ? [`to_char(t.procedure_month, 'YYYY-MM') AS month`] : []),
    ];
    const groupKeys = columns.map((_, index) => index + 1).join(', ');
    const where = () =>
      new SqlFilter()
        .when(period.from, (p) => `t.procedure_month >= ${p}::date`)
        .when(period.to, (p) => `t.procedure_month <= ${p}::date`)
        .when(filter.country, (p) => `t.clinic_id IN (SELECT clinic_id FROM projector.clinics WHERE country = ${p})`);

    const reportFilter = where().when(filter.category, (p) => `t.category = ${p}`);
    const reports: Grouped[] = await this.db.query(
      `SELECT ${columns.join(', ')}, t.category, sum(t.reports)::int AS reports, sum(t.serious)::int AS serious
         FROM projector.${filter.country ? 'side_effect_counts' : 'pigment_category_month'} t JOIN projector.pigments p USING (pigment_id)
        ${reportFilter.where}
        GROUP BY ${groupKeys}, t.category`,
      reportFilter.params,
    );
    const procedureFilter = where();
    const procedures: Grouped[] = await this.db.query(
      `SELECT ${columns.join(', ')}, sum(t.procedures)::int AS procedures
         FROM projector.procedures_month t JOIN projector.pigments p USING (pigment_id)
        ${procedureFilter.where}
        GROUP BY ${groupKeys}`,
      procedureFilter.params,
    );

    const keyColumns = [...GROUP_COLUMNS[groupBy], ...(filter.byMonth ? ['month'] : [])];
    const keyOf = (row: Grouped) => keyColumns.map((column) => row[column]).join('\u0000');
    const groups = new Map<string, { row: Grouped; procedures: number; byCategory: Map<string, Grouped> }>();
    const group = (row: Grouped) => {
      const key = keyOf(row);
      const found = groups.get(key) ?? { row, procedures: 0, byCategory: new Map() };
      groups.set(key, found);
      return found;
    };
    for (const row of procedures) group(row).procedures = Number(row.procedures);
    for (const row of reports) group(row).byCategory.set(String(row.category), row);

    const categories = filter.category ? [filter.category] : SIDE_EFFECT_CATEGORIES;
    const rows: PigmentStatsRow[] = [];
    const sorted = [...groups.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    for (const [, { row, procedures: denominator, byCategory }] of sorted) {
      const labels: Partial<PigmentStatsRow> = {};
      for (const column of keyColumns) (labels as Record<string, unknown>)[FIELD[column] ?? column] = row[column];
      for (const category of categories) {
        const counts = byCategory.get(category);
        const count = Number(counts?.reports ?? 0);
        rows.push({
          ...(labels as Pick<PigmentStatsRow, 'manufacturer'>),
          category,
          procedures: denominator,
          reports: count,
          serious: Number(counts?.serious ?? 0),
          ...rateOf(count, denominator),
        });
      }
    }
    return { groupBy, from: filter.from ?? null, to: filter.to ?? null, rows };
  }
}
