import { Injectable } from '@nestjs/common';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { adjustedScore, funnelBand, funnelLimits, funnelScores, type FunnelBand, type FunnelScores, type Interval } from '@smp/statistics';
import type { Period } from './period.js';
import { rateOf, round } from './rates.js';
import { ClinicMonths } from './clinic-months.js';
import type { TallyLayout } from './month-tallies.js';
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

/** A category's funnel over a period: the network rate, the overdispersion, and the limits to draw. */
export interface FunnelSummary {
  category: SideEffectCategory;
  /** Network proportion (reports / procedures of the clinics on the plot). */
  target: number;
  networkRatePer1000: number;
  phi: number;
  tau2: number;
  overdispersed: boolean;
  /** The control limits at a range of clinic sizes, for drawing the funnel. */
  limits: FunnelLimitsPer1000[];
}

/** A category's funnel over a period without its clinics: what an answer shows of it, and what placing a clinic takes. */
export interface FunnelOutline {
  summary: FunnelSummary;
  scale: FunnelScale;
}

/** A category's funnel over a period as placeOn needs it: a few numbers, where its scoring took every clinic's figures. */
export interface FunnelScale {
  category: SideEffectCategory;
  networkRatePer1000: number;
  /** Null when no clinic is on the plot. */
  scores: { target: number; tau2: number; z95: number; z998: number } | null;
}

/**
 * The point of a clinic on a funnel from its own figures over the funnel's period: z and band as the funnel's scoring of
 * every clinic gives them for that clinic (funnelScores's adjusted score is adjustedScore), without that scoring.
 */
export function placeOn(scale: FunnelScale, procedures: number, reports: number): { z: number | null; band: FunnelBand | null } {
  if (!scale.scores || !onPlot(procedures, reports)) return { z: null, band: null };
  const { target, tau2, z95, z998 } = scale.scores;
  const z = adjustedScore(reports, procedures, target, tau2);
  return { z: round(z), band: funnelBand(z, z95, z998) };
}

/**
 * The clinic at position `i` of the inputs as a point of the outline's funnel: its figures over the period, and z and
 * band from the funnel's scale (placeOn: the same adjusted score the funnel's own scoring gives each of its clinics).
 * perf: a page's points from the inputs, not every clinic's point of every category made for a page of a hundred.
 */
export function pointOf(inputs: FunnelInputs, i: number, { summary, scale }: FunnelOutline): ClinicPoint {
  const offset = inputs.offsets[i]!;
  const procedures = inputs.layout.proceduresAt(inputs.values, offset);
  const reports = inputs.layout.reportsAt(inputs.values, offset, summary.category);
  // Fields written out, not spread: a hundred points per answer, and object spread is several times slower.
  const rate = rateOf(reports, procedures);
  const { z, band } = placeOn(scale, procedures, reports);
  return {
    clinicId: inputs.ids[i]!,
    name: inputs.names[i]!,
    country: inputs.countries[i]!,
    category: summary.category,
    procedures,
    reports,
    ratePer1000: rate.ratePer1000,
    ci95: rate.ci95,
    z,
    band,
  };
}

/** Heap estimates for the cache's budget: an outline is ~40 limit rows. */
const BYTES_PER_OUTLINE = 8_000;
/** A clinic among a period's inputs: its offset (and its share of the window's figures), id, name and country. */
const BYTES_PER_INPUT = 150;
/** Whether a clinic is on the plot: the binomial model needs procedures, and no more reports than procedures (procedures may be recorded late). */
const onPlot = (procedures: number, reports: number): boolean => procedures > 0 && reports <= procedures;
/** A funnel's scale: its key, entry and a few numbers. */
const BYTES_PER_SCALE = 400;

/** The clinics a period's funnels are drawn from: every one with a row in the period (and of the country), in id order. */
export interface FunnelInputs {
  ids: string[];
  names: Array<string | null>;
  countries: Array<string | null>;
  /** The window's figures of every clinic, and where each input's are in them (see TallyWindow.offsetOf). */
  values: Int32Array;
  offsets: Int32Array;
  layout: TallyLayout;
}

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
   * The outlines of the period's funnels (of the country's clinics), one per category (or just `filters.category`'s),
   * each computed once per change of the read models for every answer that needs it: an answer about all categories
   * shares those of single categories. Kept without their clinics' points: a page's points come from the inputs
   * (pointOf), placed on the outline's scale as the clinic view places one clinic (same-hour A/B: CPU per answer within
   * the noise of keeping every clinic's z and band per category, with a ninth of the heap per funnel kept).
   */
  outlines(period: Period, filters: { category?: SideEffectCategory; country?: string }): Promise<readonly FunnelOutline[]> {
    const categories = filters.category ? [filters.category] : SIDE_EFFECT_CATEGORIES;
    let inputs: Promise<FunnelInputs> | undefined;
    return Promise.all(
      categories.map((category) =>
        this.cache.part(
          `funnel\u0000${period.from ?? ''}\u0000${period.to ?? ''}\u0000${category}\u0000${filters.country ?? ''}`,
          async () => outlineOf(category, await (inputs ??= this.inputs(period, filters.country))),
          () => BYTES_PER_OUTLINE,
        ),
      ),
    );
  }

  /**
   * The scales of the period's funnels of the whole network, one per category (or just `category`'s): what placing one
   * clinic on them takes (see placeOn). Kept for many more periods than the funnels themselves fit (a few numbers each
   * against a few bytes per clinic): a clinic's view of a period that another clinic's view asked for then needs no
   * funnel of every clinic. A scale missing is scored from the period's inputs, without the rest of its funnel (the
   * limits, every clinic's band; perf: a clinic's incidence at 10× history missed its period's scales nearly every time,
   * and made and kept the funnels of every category for them). Do not change the result.
   */
  scales(period: Period, category?: SideEffectCategory): Promise<readonly FunnelScale[]> {
    const categories = category ? [category] : SIDE_EFFECT_CATEGORIES;
    let inputs: Promise<FunnelInputs> | undefined;
    return Promise.all(
      categories.map((one) =>
        this.cache.smallPart(
          `funnel-scale\u0000${period.from ?? ''}\u0000${period.to ?? ''}\u0000${one}`,
          async () => scaleOf(one, scoresOf(one, await (inputs ??= this.inputs(period, undefined))).plot),
          () => BYTES_PER_SCALE,
        ),
      ),
    );
  }

  /**
   * The clinics and their figures over the period (of the country): a part, since every category's funnel is drawn from
   * them and every page of the funnels' points read from them. Do not change the result.
   */
  inputs(period: Period, country: string | undefined): Promise<FunnelInputs> {
    return this.cache.part(
      `funnel-inputs\u0000${period.from ?? ''}\u0000${period.to ?? ''}\u0000${country ?? ''}`,
      () => this.inputsOf(period, country),
      (clinics) => clinics.ids.length * BYTES_PER_INPUT,
    );
  }

  private async inputsOf(period: Period, country: string | undefined): Promise<FunnelInputs> {
    const [window, directory] = await Promise.all([this.months.window(period), this.months.directory()]);
    const keys = window.keys;
    const ids: string[] = [];
    const names: Array<string | null> = [];
    const countries: Array<string | null> = [];
    // perf: offsets into the window's figures, not a Tally object per clinic (thousands per period, kept as a part).
    const offsets = new Int32Array(keys.length);
    for (const clinicId of keys) {
      const offset = window.offsetOf(clinicId);
      if (offset < 0 || !window.layout.presentAt(window.values, offset)) continue;
      const registered = directory.get(clinicId);
      if (country && registered?.country !== country) continue;
      offsets[ids.length] = offset;
      ids.push(clinicId);
      names.push(registered?.name ?? null);
      countries.push(registered?.country ?? null);
    }
    return { ids, names, countries, values: window.values, offsets: offsets.slice(0, ids.length), layout: window.layout };
  }
}

/** The scores of a category's funnel over the clinics on its plot (null: none is). */
interface CategoryScores {
  plot: FunnelScores | null;
  /** The most procedures of a clinic on the plot (at least 1). */
  largest: number;
}

function scoresOf(category: SideEffectCategory, { values, offsets, layout }: FunnelInputs): CategoryScores {
  const events = new Int32Array(offsets.length);
  const trials = new Int32Array(offsets.length);
  let placed = 0;
  let largest = 1;
  for (const offset of offsets) {
    const procedures = layout.proceduresAt(values, offset);
    const reports = layout.reportsAt(values, offset, category);
    if (!onPlot(procedures, reports)) continue;
    events[placed] = reports;
    trials[placed++] = procedures;
    largest = Math.max(largest, procedures);
  }
  return { plot: placed > 0 ? funnelScores(events.subarray(0, placed), trials.subarray(0, placed)) : null, largest };
}

function scaleOf(category: SideEffectCategory, plot: FunnelScores | null): FunnelScale {
  return {
    category,
    networkRatePer1000: round((plot?.target ?? 0) * 1000),
    scores: plot ? { target: plot.target, tau2: plot.tau2, z95: plot.z95, z998: plot.z998 } : null,
  };
}

function outlineOf(category: SideEffectCategory, inputs: FunnelInputs): FunnelOutline {
  const { plot, largest } = scoresOf(category, inputs);
  const scale = scaleOf(category, plot);
  const summary: FunnelSummary = {
    category,
    target: plot?.target ?? 0,
    networkRatePer1000: scale.networkRatePer1000,
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
  };
  return { summary, scale };
}

/** About 40 clinic sizes from 1 to a little past the largest clinic, spaced evenly on a log scale. */
function limitSizes(largest: number): number[] {
  const top = Math.ceil(largest * 1.2);
  const steps = 40;
  const sizes = new Set<number>();
  for (let i = 0; i <= steps; i++) sizes.add(Math.max(1, Math.round(Math.exp((Math.log(top) * i) / steps))));
  return [...sizes];
}
