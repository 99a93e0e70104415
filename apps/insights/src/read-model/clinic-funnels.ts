import { Injectable } from '@nestjs/common';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { funnelLimits, funnelPlot, type FunnelBand, type FunnelUnit, type FunnelUnitResult, type Interval } from '@smp/statistics';
import type { Period } from './period.js';
import { rateOf, round } from './rates.js';
import { ClinicMonths } from './clinic-months.js';
import type { Tally } from './month-tallies.js';
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
  /** Every clinic with a row in the period, by id; see pointsOf for their rates and places. */
  clinics: ReadonlyMap<string, PlacedClinic>;
}

/** A clinic's counts in a category funnel, and its place on the plot (none without procedures, or with more reports than procedures). */
export interface PlacedClinic {
  clinicId: string;
  name: string | null;
  country: string | null;
  procedures: number;
  reports: number;
  placed: FunnelUnitResult | undefined;
}

/** The funnel's clinics as points, in clinic id order: rates with their intervals, rounded z-scores and bands. */
export function pointsOf(funnel: CategoryFunnel): ClinicPoint[] {
  return [...funnel.clinics.values()].map((clinic) => pointOf(funnel.category, clinic));
}

export function pointOf(category: SideEffectCategory, clinic: PlacedClinic): ClinicPoint {
  // Fields written out, not spread: thousands of points per answer, and object spread is several times slower.
  const rate = rateOf(clinic.reports, clinic.procedures);
  return {
    clinicId: clinic.clinicId,
    name: clinic.name,
    country: clinic.country,
    category,
    procedures: clinic.procedures,
    reports: clinic.reports,
    ratePer1000: rate.ratePer1000,
    ci95: rate.ci95,
    z: clinic.placed ? round(clinic.placed.adjustedZ) : null,
    band: clinic.placed?.band ?? null,
  };
}

/** Heap estimates for the cache's budget: a placed clinic is a few fields, a map entry and a funnel result, a funnel ~40 limit rows. */
const BYTES_PER_CLINIC = 400;
const BYTES_PER_FUNNEL = 8_000;

/**
 * Every clinic's reports and procedures over a period, per category, placed
 * on the network funnel (Spiegelhalter's limits with the overdispersion
 * adjustment). The clinic view places one clinic, the regulator view all.
 */
@Injectable()
export class ClinicFunnels {
  constructor(
    private readonly months: ClinicMonths,
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
      (funnels) => funnels.reduce((bytes, funnel) => bytes + BYTES_PER_CLINIC * funnel.clinics.size + BYTES_PER_FUNNEL, 0),
    );
  }

  private async computeNow(period: Period, filters: { category?: SideEffectCategory; country?: string }): Promise<CategoryFunnel[]> {
    const [window, directory] = await Promise.all([this.months.window(period), this.months.directory()]);
    // Every clinic the read models hold a row of in the period (procedures, or reports of the category asked for).
    const clinics: Array<{ clinicId: string; name: string | null; country: string | null; procedures: number; tally: Tally }> = [];
    for (const clinicId of window.keys) {
      const tally = window.tally(clinicId)!;
      if (!tally.present(filters.category)) continue;
      const registered = directory.get(clinicId);
      if (filters.country && registered?.country !== filters.country) continue;
      clinics.push({ clinicId, name: registered?.name ?? null, country: registered?.country ?? null, procedures: tally.procedures, tally });
    }
    clinics.sort((x, y) => (x.clinicId < y.clinicId ? -1 : x.clinicId > y.clinicId ? 1 : 0));
    const categories = filters.category ? [filters.category] : SIDE_EFFECT_CATEGORIES;
    return categories.map((category) => {
      const reports = clinics.map((clinic) => clinic.tally.reports(category));
      // The binomial model needs procedures, and no more reports than procedures (procedures may be recorded late).
      const units: FunnelUnit[] = [];
      clinics.forEach((clinic, i) => {
        if (clinic.procedures > 0 && reports[i]! <= clinic.procedures)
          units.push({ id: clinic.clinicId, events: reports[i]!, trials: clinic.procedures });
      });
      const plot = units.length > 0 ? funnelPlot(units) : null;
      const placed = new Map(plot?.units.map((unit) => [unit.id, unit]));
      const largest = units.reduce((most, unit) => Math.max(most, unit.trials), 1);
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
        clinics: new Map(
          clinics.map((clinic, i): [string, PlacedClinic] => [
            clinic.clinicId,
            {
              clinicId: clinic.clinicId,
              name: clinic.name,
              country: clinic.country,
              procedures: clinic.procedures,
              reports: reports[i]!,
              placed: placed.get(clinic.clinicId),
            },
          ]),
        ),
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
