import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { ClinicFunnels, placeOn } from '../../read-model/clinic-funnels.js';
import { periodOf } from '../../read-model/period.js';
import { per1000, rateOf } from '../../read-model/rates.js';
import { ClinicMonths } from '../../read-model/clinic-months.js';
import type { Tally } from '../../read-model/month-tallies.js';
import { GetClinicIncidenceQuery, type ClinicIncidence, type IncidenceRow } from './get-clinic-incidence.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/**
 * A clinic's rates per category and procedure month beside the network's, and
 * its place on the network funnel over the period. Reads the projector's
 * counts and denominators (held in memory a year at a time, see ClinicMonths);
 * never the reports. The network's funnel is computed once per period and
 * category for all clinics, and kept as its scale (see ClinicFunnels.scales).
 */
@QueryHandler(GetClinicIncidenceQuery)
export class GetClinicIncidenceHandler implements IQueryHandler<GetClinicIncidenceQuery, Answer<ClinicIncidence>> {
  constructor(
    private readonly months: ClinicMonths,
    private readonly funnels: ClinicFunnels,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetClinicIncidenceQuery): Promise<Answer<ClinicIncidence>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ clinicId, from, to, category }: GetClinicIncidenceQuery): Promise<ClinicIncidence> {
    const period = periodOf(from, to);
    const [months, scales] = await Promise.all([this.months.months(clinicId, period), this.funnels.scales(period, category)]);
    const rows = incidenceRows(months, category ? [category] : SIDE_EFFECT_CATEGORIES);
    // The clinic on each network funnel, from its own months added up (its figures over the period, as the funnel has them).
    let procedures = 0;
    for (const { tally } of months) procedures += tally?.procedures ?? 0;
    const funnel = scales.map((scale) => {
      let reports = 0;
      for (const { tally } of months) reports += tally?.reports(scale.category) ?? 0;
      const { z, band } = placeOn(scale, procedures, reports);
      return {
        category: scale.category,
        procedures,
        reports,
        ratePer1000: per1000(reports, procedures),
        networkRatePer1000: scale.networkRatePer1000,
        z,
        band,
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
function incidenceRows(
  months: ReadonlyArray<{ month: string; tally: Tally | null; total: Tally }>,
  categories: readonly SideEffectCategory[],
): IncidenceRow[] {
  const rows: IncidenceRow[] = [];
  for (const { month, tally: clinic, total: network } of months) {
    if (!clinic) continue;
    const procedures = clinic.procedures;
    for (const category of categories) {
      const reports = clinic.reports(category);
      if (procedures === 0 && reports === 0) continue;
      rows.push({
        month,
        category,
        procedures,
        reports,
        serious: clinic.serious(category),
        ...rateOf(reports, procedures),
        networkRatePer1000: per1000(network.reports(category), network.procedures),
      });
    }
  }
  return rows;
}
