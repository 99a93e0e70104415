import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SqlFilter } from '@smp/persistence';
import { publicTable } from '../public-table.js';
import { yearOf } from '../public-year.dto.js';
import { GetPublicClinicsQuery, type PublicClinics } from './get-public-clinics.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** Every registered clinic's reports per category and procedures in one calendar year, with small cells withheld. */
@QueryHandler(GetPublicClinicsQuery)
export class GetPublicClinicsHandler implements IQueryHandler<GetPublicClinicsQuery, PublicClinics> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPublicClinicsQuery): Promise<PublicClinics> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute(query: GetPublicClinicsQuery): Promise<PublicClinics> {
    const { year, from, to } = yearOf(query);
    const filter = new SqlFilter().when(from, (p) => `procedure_month >= ${p}::date`).when(to, (p) => `procedure_month <= ${p}::date`);
    const rows: Array<{ clinic_id: string; name: string; country: string; procedures: number; reports: Record<string, number> | null }> =
      await this.db.query(
        `WITH procs AS (SELECT clinic_id, sum(procedures)::int AS procedures FROM projector.procedures_month ${filter.where} GROUP BY clinic_id),
              reps AS (SELECT clinic_id, jsonb_object_agg(category, reports) AS reports
                         FROM (SELECT clinic_id, category, sum(reports)::int AS reports FROM projector.clinic_category_month ${filter.where}
                                GROUP BY clinic_id, category) per_category
                        GROUP BY clinic_id)
         SELECT k.clinic_id, k.name, k.country, coalesce(p.procedures, 0) AS procedures, r.reports
           FROM projector.clinics k LEFT JOIN procs p USING (clinic_id) LEFT JOIN reps r USING (clinic_id)
          ORDER BY k.country, k.name, k.clinic_id`,
        filter.params,
      );
    const table = publicTable(
      rows.map((row) => ({
        labels: { clinicId: row.clinic_id, name: row.name, country: row.country },
        procedures: row.procedures,
        reports: row.reports ?? {},
      })),
    );
    return { year, ...table };
  }
}
