import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { ClinicFunnels } from '../../read-model/clinic-funnels.js';
import { periodOf } from '../../read-model/period.js';
import { per1000, rateOf } from '../../read-model/rates.js';
import { SqlFilter } from '@smp/persistence';
import { GetClinicIncidenceQuery, type ClinicIncidence, type IncidenceRow } from './get-clinic-incidence.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

interface MonthCounts {
  month: string;
  category: string | null;
  clinic_procedures: number;
  network_procedures: number;
  reports: number;
  serious: number;
  network_reports: number;
}

/**
 * A clinic's rates per category and procedure month beside the network's, and
 * its place on the network funnel over the period. Reads the projector's
 * counts and denominators; never the reports.
 */
@QueryHandler(GetClinicIncidenceQuery)
export class GetClinicIncidenceHandler implements IQueryHandler<GetClinicIncidenceQuery, ClinicIncidence> {
  constructor(
    private readonly db: DataSource,
    private readonly funnels: ClinicFunnels,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetClinicIncidenceQuery): Promise<ClinicIncidence> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ clinicId, from, to, category }: GetClinicIncidenceQuery): Promise<ClinicIncidence> {
    const period = periodOf(from, to);
    const filter = new SqlFilter([clinicId])
      .when(period.from, (p) => `procedure_month >= ${p}::date`)
      .when(period.to, (p) => `procedure_month <= ${p}::date`);
    const categoryFilter = category ? `AND category = ${filter.param(category)}` : '';
    // Months in which the clinic recorded procedures or has reports; network figures for the same months.
    const counts: MonthCounts[] = await this.db.query(
      `WITH procs AS (SELECT procedure_month, sum(procedures) FILTER (WHERE clinic_id = $1)::int AS clinic_procedures,
                             sum(procedures)::int AS network_procedures
                        FROM projector.procedures_month ${filter.where} GROUP BY procedure_month),
            reps AS (SELECT procedure_month, category,
                            coalesce(sum(reports) FILTER (WHERE clinic_id = $1), 0)::int AS reports,
                            coalesce(sum(serious) FILTER (WHERE clinic_id = $1), 0)::int AS serious,
                            sum(reports)::int AS network_reports
                       FROM projector.clinic_category_month ${filter.where || 'WHERE true'} ${categoryFilter}
                      GROUP BY procedure_month, category)
       SELECT to_char(procedure_month, 'YYYY-MM') AS month, r.category,
              coalesce(p.clinic_procedures, 0) AS clinic_procedures, coalesce(p.network_procedures, 0) AS network_procedures,
              coalesce(r.reports, 0) AS reports, coalesce(r.serious, 0) AS serious, coalesce(r.network_reports, 0) AS network_reports
         FROM procs p FULL OUTER JOIN reps r USING (procedure_month)
        ORDER BY procedure_month, r.category`,
      filter.params,
    );
    const rows = incidenceRows(counts, category ? [category] : SIDE_EFFECT_CATEGORIES);
    const funnels = await this.funnels.compute(period, { category });
    const funnel = funnels.map((categoryFunnel) => {
      const point = categoryFunnel.points.find((candidate) => candidate.clinicId === clinicId);
      return {
        category: categoryFunnel.category,
        procedures: point?.procedures ?? 0,
        reports: point?.reports ?? 0,
        ratePer1000: point?.ratePer1000 ?? null,
        networkRatePer1000: categoryFunnel.networkRatePer1000,
        z: point?.z ?? null,
        band: point?.band ?? null,
      };
    });
    return { clinicId, from: from ?? null, to: to ?? null, rows, funnel };
  }
}

/**
 * One row per month × category: every category in a month the clinic recorded
 * procedures (no report is then a real rate of 0), and otherwise only the
 * categories it has reports for (procedures may not be recorded yet).
 */
function incidenceRows(counts: readonly MonthCounts[], categories: readonly SideEffectCategory[]): IncidenceRow[] {
  const months = new Map<string, { procedures: number; networkProcedures: number; byCategory: Map<string, MonthCounts> }>();
  for (const row of counts) {
    const month = months.get(row.month) ?? {
      procedures: row.clinic_procedures,
      networkProcedures: row.network_procedures,
      byCategory: new Map(),
    };
    if (row.category) month.byCategory.set(row.category, row);
    months.set(row.month, month);
  }
  const rows: IncidenceRow[] = [];
  for (const [month, { procedures, networkProcedures, byCategory }] of months) {
    for (const category of categories) {
      const row = byCategory.get(category);
      if (procedures === 0 && !(row && row.reports > 0)) continue;
      const reports = row?.reports ?? 0;
      rows.push({
        month,
        category,
        procedures,
        reports,
        serious: row?.serious ?? 0,
        ...rateOf(reports, procedures),
        networkRatePer1000: per1000(row?.network_reports ?? 0, networkProcedures),
      });
    }
  }
  return rows;
}
