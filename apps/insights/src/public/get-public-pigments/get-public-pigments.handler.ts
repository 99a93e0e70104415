import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SqlFilter } from '@smp/persistence';
import { publicTable } from '../public-table.js';
import { yearOf } from '../public-year.dto.js';
import { GetPublicPigmentsQuery, type PublicPigments } from './get-public-pigments.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/**
 * Reports per category and procedures per pigment product (manufacturer and
 * product, batches pooled: batches are too small to publish) in one calendar
 * year, with small cells withheld.
 */
@QueryHandler(GetPublicPigmentsQuery)
export class GetPublicPigmentsHandler implements IQueryHandler<GetPublicPigmentsQuery, PublicPigments> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPublicPigmentsQuery): Promise<PublicPigments> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute(query: GetPublicPigmentsQuery): Promise<PublicPigments> {
    const { year, from, to } = yearOf(query);
    const filter = new SqlFilter().when(from, (p) => `t.procedure_month >= ${p}::date`).when(to, (p) => `t.procedure_month <= ${p}::date`);
    const rows: Array<{ manufacturer: string; product: string; procedures: number; reports: Record<string, number> | null }> =
      await this.db.query(
        `WITH products AS (SELECT DISTINCT manufacturer, product FROM projector.pigments),
            procs AS (SELECT p.manufacturer, p.product, sum(t.procedures)::int AS procedures
                        FROM projector.procedures_month t JOIN projector.pigments p USING (pigment_id) ${filter.where}
                       GROUP BY p.manufacturer, p.product),
            reps AS (SELECT manufacturer, product, jsonb_object_agg(category, reports) AS reports
                       FROM (SELECT p.manufacturer, p.product, t.category, sum(t.reports)::int AS reports
                               FROM projector.pigment_category_month t JOIN projector.pigments p USING (pigment_id) ${filter.where}
                              GROUP BY p.manufacturer, p.product, t.category) per_category
                      GROUP BY manufacturer, product)
       SELECT products.manufacturer, products.product, coalesce(procs.procedures, 0) AS procedures, reps.reports
         FROM products LEFT JOIN procs USING (manufacturer, product) LEFT JOIN reps USING (manufacturer, product)
        ORDER BY products.manufacturer, products.product`,
        filter.params,
      );
    const table = publicTable(
      rows.map((row) => ({
        labels: { manufacturer: row.manufacturer, product: row.product },
        procedures: row.procedures,
        reports: row.reports ?? {},
      })),
    );
    return { year, ...table };
  }
}
