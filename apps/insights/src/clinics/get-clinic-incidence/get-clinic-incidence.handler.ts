import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { ClinicFunnels } from '../../read-model/clinic-funnels.js';
import type { Period } from '../../read-model/period.js';
import { periodOf } from '../../read-model/period.js';
import { per1000, rateOf } from '../../read-model/rates.js';
import { SqlFilter } from '@smp/persistence';
import { GetClinicIncidenceQuery, type ClinicIncidence, type IncidenceRow } from './get-clinic-incidence.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** The clinic's own counts of one month (and category, when it has reports in it). */
interface ClinicMonth {
  month: string;
  category: string | null;
  procedures: number;
  reports: number;
  serious: number;
}

/** The whole network's procedures and reports per month (and per category): the same for every clinic's answer. */
type NetworkMonths = ReadonlyMap<string, { procedures: number; reports: ReadonlyMap<string, number> }>;

/**
 * A clinic's rates per category and procedure month beside the network's, and
 * its place on the network funnel over the period. Reads the projector's
 * counts and denominators; never the reports. The network's side (monthly
 * figures, funnels) is computed once per period and category for all clinics.
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
    const [own, network, funnels] = await Promise.all([
      this.clinicMonths(clinicId, period, category),
      this.networkMonths(period, category),
      this.funnels.compute(period, { category }),
    ]);
    const rows = incidenceRows(own, network, category ? [category] : SIDE_EFFECT_CATEGORIES);
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

  /** Months in which the clinic recorded procedures or has reports (its rows only: both tables lead with the clinic). */
  private clinicMonths(clinicId: string, period: Period, category: SideEffectCategory | undefined): Promise<ClinicMonth[]> {
    const filter = new SqlFilter([clinicId])
      .when(period.from, (p) => `procedure_month >= ${p}::date`)
      .when(period.to, (p) => `procedure_month <= ${p}::date`);
    const window = filter.and;
    const categoryFilter = category ? `AND category = ${filter.param(category)}` : '';
    return this.db.query(
      `WITH procs AS (SELECT procedure_month, sum(procedures)::int AS procedures FROM projector.procedures_month
                       WHERE clinic_id = $1 ${window} GROUP BY procedure_month),
            reps AS (SELECT procedure_month, category, sum(reports)::int AS reports, sum(serious)::int AS serious
                       FROM projector.clinic_category_month WHERE clinic_id = $1 ${window} ${categoryFilter}
                      GROUP BY procedure_month, category)
       SELECT to_char(procedure_month, 'YYYY-MM') AS month, r.category, coalesce(p.procedures, 0) AS procedures,
              coalesce(r.reports, 0) AS reports, coalesce(r.serious, 0) AS serious
         FROM procs p FULL OUTER JOIN reps r USING (procedure_month)
        ORDER BY procedure_month, r.category`,
      filter.params,
    );
  }

  private networkMonths(period: Period, category: SideEffectCategory | undefined): Promise<NetworkMonths> {
    const key = `incidence-network\u0000${period.from ?? ''}\u0000${period.to ?? ''}\u0000${category ?? ''}`;
    return this.cache.part(
      key,
      async () => {
        const filter = new SqlFilter()
          .when(period.from, (p) => `procedure_month >= ${p}::date`)
          .when(period.to, (p) => `procedure_month <= ${p}::date`);
        const categoryFilter = category ? `AND category = ${filter.param(category)}` : '';
        const rows: Array<{ month: string; category: string | null; procedures: number | null; reports: number | null }> =
          await this.db.query(
            `SELECT to_char(procedure_month, 'YYYY-MM') AS month, NULL AS category, sum(procedures)::int AS procedures, NULL::int AS reports
             FROM projector.procedures_month ${filter.where} GROUP BY procedure_month
           UNION ALL
           SELECT to_char(procedure_month, 'YYYY-MM'), category, NULL, sum(reports)::int
             FROM projector.clinic_category_month ${filter.where || 'WHERE true'} ${categoryFilter} GROUP BY procedure_month, category`,
            filter.params,
          );
        const months = new Map<string, { procedures: number; reports: Map<string, number> }>();
        for (const row of rows) {
          const month = months.get(row.month) ?? { procedures: 0, reports: new Map<string, number>() };
          if (row.category === null) month.procedures = row.procedures ?? 0;
          else month.reports.set(row.category, row.reports ?? 0);
          months.set(row.month, month);
        }
        return months;
      },
      (months) => months.size * 1_000,
    );
  }
}

/**
 * One row per month × category: every category in a month the clinic recorded
 * procedures (no report is then a real rate of 0), and otherwise only the
 * categories it has reports for (procedures may not be recorded yet).
 */
function incidenceRows(own: readonly ClinicMonth[], network: NetworkMonths, categories: readonly SideEffectCategory[]): IncidenceRow[] {
  const months = new Map<string, { procedures: number; byCategory: Map<string, ClinicMonth> }>();
  for (const row of own) {
    const month = months.get(row.month) ?? { procedures: row.procedures, byCategory: new Map() };
    if (row.category) month.byCategory.set(row.category, row);
    months.set(row.month, month);
  }
  const rows: IncidenceRow[] = [];
  for (const [month, { procedures, byCategory }] of months) {
    const networkMonth = network.get(month);
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
        networkRatePer1000: per1000(networkMonth?.reports.get(category) ?? 0, networkMonth?.procedures ?? 0),
      });
    }
  }
  return rows;
}
