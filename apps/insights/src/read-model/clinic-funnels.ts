import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { funnelLimits, funnelPlot, type FunnelBand, type FunnelUnit, type Interval } from '@smp/statistics';
import type { Period } from './period.js';
import { rateOf, round } from './rates.js';
import { SqlFilter } from '@smp/persistence';
import { ReadModelCache } from './read-model-cache.js';

export interface ClinicPoint {
  clinicId: string;
  name: string | null;
  country: string | null;
  category: SideEffectCategory;
  procedures: number;
  reports: number;
  ratePer1000: number | null;
  ci95: Interval | null;
  /** Overdispersion-adjusted z-score against the network; null when the clinic has no procedures in the period. */
  z: number | null;
  band: FunnelBand | null;
}

export interface FunnelLimitsPer1000 {
  procedures: number;
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export interface CategoryFunnel {
  category: SideEffectCategory;
  /** Network proportion (reports / procedures of the clinics on the plot). */
  target: number;
  networkRatePer1000: number;
  phi: number;
  tau2: number;
  overdispersed: boolean;
  /** The control limits at a range of clinic sizes, for drawing the funnel. */
  limits: FunnelLimitsPer1000[];
  points: ClinicPoint[];
}

/** Heap estimates for the cache's budget: a point is a dozen fields and an interval, a funnel ~40 limit rows. */
const BYTES_PER_POINT = 600;
const BYTES_PER_FUNNEL = 8_000;

interface ClinicCounts {
  clinic_id: string;
  name: string | null;
  country: string | null;
  procedures: number;
  category: string | null;
  reports: number;
}

/**
 * Every clinic's reports and procedures over a period, per category, placed
 * on the network funnel (Spiegelhalter's limits with the overdispersion
 * adjustment). The clinic view places one clinic, the regulator view all.
 */
@Injectable()
export class ClinicFunnels {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  /**
   * The funnels of the period, category and country; computed once per change of the read models for every answer
   * that needs them (each clinic's incidence places itself on the same network funnel). Do not change the result.
   */
  compute(period: Period, filters: { category?: SideEffectCategory; country?: string }): Promise<readonly CategoryFunnel[]> {
    const key = `funnels\u0000${period.from ?? ''}\u0000${period.to ?? ''}\u0000${filters.category ?? ''}\u0000${filters.country ?? ''}`;
    return this.cache.part(
      key,
      () => this.computeNow(period, filters),
      (funnels) => funnels.reduce((bytes, funnel) => bytes + BYTES_PER_POINT * funnel.points.length + BYTES_PER_FUNNEL, 0),
    );
  }

  private async computeNow(period: Period, filters: { category?: SideEffectCategory; country?: string }): Promise<CategoryFunnel[]> {
    const filter = new SqlFilter()
      .when(period.from, (p) => `procedure_month >= ${p}::date`)
      .when(period.to, (p) => `procedure_month <= ${p}::date`);
    const categoryFilter = filters.category ? `AND category = ${filter.param(filters.category)}` : '';
    const countryFilter = filters.country ? `WHERE k.country = ${filter.param(filters.country)}` : '';
    const rows: ClinicCounts[] = await this.db.query(
      `WITH procs AS (SELECT clinic_id, sum(procedures)::int AS procedures FROM projector.procedures_month ${filter.where} GROUP BY clinic_id),
            reps AS (SELECT clinic_id, category, sum(reports)::int AS reports FROM projector.clinic_category_month
                      ${filter.where || 'WHERE true'} ${categoryFilter} GROUP BY clinic_id, category),
            ids AS (SELECT clinic_id FROM procs UNION SELECT clinic_id FROM reps)
       SELECT ids.clinic_id, k.name, k.country, coalesce(p.procedures, 0) AS procedures, r.category, coalesce(r.reports, 0) AS reports
         FROM ids LEFT JOIN projector.clinics k USING (clinic_id) LEFT JOIN procs p USING (clinic_id) LEFT JOIN reps r USING (clinic_id)
         ${countryFilter}
        ORDER BY ids.clinic_id`,
      filter.params,
    );
    const clinics = new Map<string, { name: string | null; country: string | null; procedures: number; reports: Map<string, number> }>();
    for (const row of rows) {
      const clinic = clinics.get(row.clinic_id) ?? { name: row.name, country: row.country, procedures: row.procedures, reports: new Map() };
      if (row.category) clinic.reports.set(row.category, row.reports);
      clinics.set(row.clinic_id, clinic);
    }
    const categories = filters.category ? [filters.category] : SIDE_EFFECT_CATEGORIES;
    return categories.map((category) => {
      const all = [...clinics].map(([clinicId, clinic]) => ({ clinicId, ...clinic, events: clinic.reports.get(category) ?? 0 }));
      // The binomial model needs procedures, and no more reports than procedures (procedures may be recorded late).
      const units: FunnelUnit[] = all
        .filter((clinic) => clinic.procedures > 0 && clinic.events <= clinic.procedures)
        .map((clinic) => ({ id: clinic.clinicId, events: clinic.events, trials: clinic.procedures }));
      const plot = units.length > 0 ? funnelPlot(units) : null;
      const placed = new Map(plot?.units.map((unit) => [unit.id, unit]));
      const largest = Math.max(1, ...units.map((unit) => unit.trials));
      return {
        category,
        target: plot?.target ?? 0,
        networkRatePer1000: round((plot?.target ?? 0) * 1000),
        phi: plot ? round(plot.phi, 6) : 0,
        tau2: plot?.tau2 ?? 0,
        overdispersed: plot?.overdispersed ?? false,
        limits: plot
          ? funnelLimits(limitSizes(largest), plot).map((point) => ({
              procedures: point.n,
              lower95: round(point.lower95 * 1000),
              upper95: round(point.upper95 * 1000),
              lower998: round(point.lower998 * 1000),
              upper998: round(point.upper998 * 1000),
            }))
          : [],
        points: all.map((clinic) => {
          const unit = placed.get(clinic.clinicId);
          return {
            clinicId: clinic.clinicId,
            name: clinic.name,
            country: clinic.country,
            category,
            procedures: clinic.procedures,
            reports: clinic.events,
            ...rateOf(clinic.events, clinic.procedures),
            z: unit ? round(unit.adjustedZ) : null,
            band: unit?.band ?? null,
          };
        }),
      };
    });
  }
}

/** About 40 clinic sizes from 1 to a little past the largest clinic, spaced evenly on a log scale. */
function limitSizes(largest: number): number[] {
  const top = Math.ceil(largest * 1.2);
  const steps = 40;
  const sizes = new Set<number>();
  for (let i = 0; i <= steps; i++) sizes.add(Math.max(1, Math.round(Math.exp((Math.log(top) * i) / steps))));
  return [...sizes];
}
