import type { Outcome, ReporterType, Severity, SideEffectCategory, SkinCondition } from '@smp/domain';
import { Random } from './random.js';

/**
 * The demo network, planned in memory before anything is sent: clinics in
 * several countries, pigments (manufacturer × product × batch, each batch in
 * use for a stretch of months), procedures per clinic × batch × week, and the
 * reports those procedures lead to. Pure and deterministic for a given seed
 * and day, so tests can rely on what it contains.
 *
 * Two things are planted on purpose and must stand out in the statistics:
 * one batch with a clearly raised allergic-reaction rate (a disproportionality
 * signal by Evans, ROR and IC) and one clinic with a clearly raised infection
 * rate (above the 99.8% funnel limit even after the overdispersion adjustment).
 */
export interface SeedOptions {
  clinics: number;
  months: number;
  /** Multiplies every clinic's monthly procedure volume. */
  scale: number;
  seed: number;
  /** The day the network is seeded (YYYY-MM-DD): nothing is dated after it. */
  today: string;
}

export const DEFAULT_SEED_OPTIONS: Omit<SeedOptions, 'today'> = { clinics: 12, months: 12, scale: 1, seed: 1 };
/** Fewer, and the 10% winsorising of the funnel cannot set one outlier aside when estimating the overdispersion. */
export const MIN_CLINICS = 11;
export const MAX_CLINICS = 200;
export const MIN_MONTHS = 6;
export const MAX_MONTHS = 60;

export interface PlannedClinic {
  index: number;
  name: string;
  country: string;
  region: string;
  /** Procedures per month before seasonality and scale. */
  monthlyVolume: number;
  /** How diligently the clinic's clients report: multiplies every category's rate. */
  diligence: number;
  infectionFactor: number;
  /** Indices into PRODUCTS, with the share of the clinic's procedures. */
  products: Array<{ product: number; share: number }>;
}

export interface PlannedPigment {
  index: number;
  product: number;
  manufacturer: string;
  productName: string;
  shade: string;
  batch: string;
  /** Month indices (0 = first month of the period) during which the batch is in use, inclusive. */
  firstMonth: number;
  lastMonth: number;
  allergyFactor: number;
}

export interface PlannedProcedures {
  clinic: number;
  pigment: number;
  date: string;
  count: number;
}

export interface PlannedEffect {
  category: SideEffectCategory;
  onsetDate: string;
  severity: Severity;
  persistent?: boolean;
}

export interface PlannedFollowUp {
  outcome?: Outcome;
  addEffects?: PlannedEffect[];
  withdrawCategories?: SideEffectCategory[];
  medicalIntervention?: boolean;
  medicalInformation?: string;
}

export interface PlannedReport {
  index: number;
  clinic: number;
  pigment: number;
  procedureDate: string;
  reporterType: ReporterType;
  email?: string;
  patient: { ageYears: number; sex: 'male' | 'female'; skinConditions?: SkinCondition[] };
  riskFactors: { aftercareFollowed: boolean; sunExposureWithoutProtection?: boolean; patchTestDone: boolean };
  effects: PlannedEffect[];
  outcome: Outcome;
  medicalIntervention?: boolean;
  narrative?: string;
  followUp?: PlannedFollowUp;
  /** Sent a second time as a duplicate, which is then nullified. */
  duplicated?: boolean;
}

export interface SeedPlan {
  options: SeedOptions;
  /** YYYY-MM of each month of the period, oldest first. */
  months: string[];
  clinics: PlannedClinic[];
  pigments: PlannedPigment[];
  procedures: PlannedProcedures[];
  reports: PlannedReport[];
  /** The clinic with the raised infection rate. */
  outlierClinic: number;
  /** The batch with the raised allergic-reaction rate. */
  signalPigment: number;
  /** The clinic whose key `npm start` prints: an ordinary one. */
  demoClinic: number;
}

const CLINICS: ReadonlyArray<readonly [name: string, country: string, region: string]> = [
  ['Crown Scalp Studio', 'GB', 'London'],
  ['Hairline Atelier', 'FR', 'Île-de-France'],
  ['Brooklyn Scalp Works', 'US', 'New York'],
  ['Skalp Kunst Berlin', 'DE', 'Berlin'],
  ['Clínica Capilar Madrid', 'ES', 'Madrid'],
  ['Milano Scalp Lab', 'IT', 'Lombardy'],
  ['Dublin Hairline Co.', 'IE', 'Leinster'],
  ['Amsterdam Scalp Studio', 'NL', 'North Holland'],
  ['Austin SMP', 'US', 'Texas'],
  ['Toronto Follicle Art', 'CA', 'Ontario'],
  ['Sydney Scalp Studio', 'AU', 'New South Wales'],
  ['Manchester Scalp Clinic', 'GB', 'Greater Manchester'],
  ['Lyon Densité', 'FR', 'Auvergne-Rhône-Alpes'],
  ['Munich Haarlinie', 'DE', 'Bavaria'],
  ['Miami Scalp Ink', 'US', 'Florida'],
  ['Stockholm SMP', 'SE', 'Stockholm'],
];

export const PRODUCTS: ReadonlyArray<{ manufacturer: string; product: string; shade: string; code: string }> = [
  { manufacturer: 'Dermagraf', product: 'Scalp Noir', shade: 'Neutral 1', code: 'DG-SN' },
  { manufacturer: 'Dermagraf', product: 'Scalp Graphite', shade: 'Cool 2', code: 'DG-SG' },
  { manufacturer: 'Inkwell Pigments', product: 'Follicle Black', shade: 'Neutral 2', code: 'IW-FB' },
  { manufacturer: 'Inkwell Pigments', product: 'Soft Shadow', shade: 'Warm 3', code: 'IW-SS' },
  { manufacturer: 'Pure Micro', product: 'MicroScalp Dark', shade: 'Neutral 1', code: 'PM-MD' },
  { manufacturer: 'Pure Micro', product: 'MicroScalp Ash', shade: 'Cool 1', code: 'PM-MA' },
];

/** Each clinic's main product, in turn; Follicle Black (the signal's product) is the main one of a third of the clinics. */
const MAIN_PRODUCT = [2, 0, 4, 2, 1, 3, 2, 5, 0, 2, 4, 1];
const SIGNAL_PRODUCT = 2;
const OUTLIER_CLINIC = 2;
const DEMO_CLINIC = 0;
const ALLERGY_FACTOR = 10;
const INFECTION_FACTOR = 15;

/**
 * Probability that one procedure eventually leads to a report of each
 * category, and when it shows (days after the procedure). Migration and
 * discoloration appear months later, so they grow with time since the
 * procedure: recent months have not had them yet.
 */
const CATEGORY_MODELS: ReadonlyArray<{
  category: SideEffectCategory;
  probability: number;
  onsetDays: (random: Random) => number;
  severity: ReadonlyArray<readonly [Severity, number]>;
}> = [
  {
    category: 'inflammation',
    probability: 0.011,
    onsetDays: (r) => r.int(1, 6),
    severity: [
      ['mild', 6],
      ['moderate', 3],
      ['severe', 1],
    ],
  },
  {
    category: 'infection',
    probability: 0.0014,
    onsetDays: (r) => r.int(2, 10),
    severity: [
      ['mild', 2],
      ['moderate', 5],
      ['severe', 2],
    ],
  },
  {
    category: 'allergic_reaction',
    probability: 0.0028,
    onsetDays: (r) => r.int(1, 21),
    severity: [
      ['mild', 4],
      ['moderate', 4],
      ['severe', 1],
    ],
  },
  {
    category: 'pigment_migration',
    probability: 0.011,
    onsetDays: (r) => 30 + Math.round(r.exponential(180)),
    severity: [
      ['mild', 5],
      ['moderate', 4],
      ['severe', 1],
    ],
  },
  {
    category: 'discoloration',
    probability: 0.008,
    onsetDays: (r) => 45 + Math.round(r.exponential(200)),
    severity: [
      ['mild', 6],
      ['moderate', 3],
      ['severe', 1],
    ],
  },
  {
    category: 'scarring',
    probability: 0.0012,
    onsetDays: (r) => r.int(14, 90),
    severity: [
      ['mild', 3],
      ['moderate', 4],
      ['severe', 2],
    ],
  },
  {
    category: 'other',
    probability: 0.0012,
    onsetDays: (r) => r.int(1, 60),
    severity: [
      ['mild', 6],
      ['moderate', 3],
      ['severe', 1],
    ],
  },
];

const NARRATIVES: Partial<Record<SideEffectCategory, string>> = {
  inflammation: 'Redness and swelling on the crown that lasted well beyond the first two days.',
  infection: 'Pus and tenderness at several dots; the area felt warm.',
  allergic_reaction: 'Itchy raised rash over the treated area within days of the session.',
  pigment_migration: 'The dots along the hairline have spread and look blurred.',
  discoloration: 'The pigment has taken on a bluish tint.',
  scarring: 'Raised, textured skin where the dots were placed.',
  other: 'Headaches in the days after each session.',
};

export function planNetwork(options: SeedOptions): SeedPlan {
  validateOptions(options);
  const random = new Random(options.seed);
  const months = monthsEndingAt(options.today, options.months);
  const clinics = planClinics(options, random.fork('clinics'));
  const pigments = planPigments(options, months);
  const procedures = planProcedures(options, months, clinics, pigments, random.fork('procedures'));
  const reports = planReports(options, clinics, pigments, procedures, random.fork('reports'));
  return {
    options,
    months,
    clinics,
    pigments,
    procedures,
    reports,
    outlierClinic: OUTLIER_CLINIC,
    signalPigment: pigments.find((pigment) => pigment.allergyFactor > 1)!.index,
    demoClinic: DEMO_CLINIC,
  };
}

export function validateOptions(options: SeedOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.clinics) || options.clinics < MIN_CLINICS || options.clinics > MAX_CLINICS) {
    problems.push(`clinics must be a whole number from ${MIN_CLINICS} to ${MAX_CLINICS}`);
  }
  if (!Number.isInteger(options.months) || options.months < MIN_MONTHS || options.months > MAX_MONTHS) {
    problems.push(`months must be a whole number from ${MIN_MONTHS} to ${MAX_MONTHS}`);
  }
  if (!(options.scale >= 0.5 && options.scale <= 100)) problems.push('scale must be a number from 0.5 to 100');
  if (!Number.isInteger(options.seed) || options.seed < 0) problems.push('seed must be a non-negative whole number');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) problems.push('today must be a date YYYY-MM-DD');
  if (problems.length > 0) throw new RangeError(problems.join('; '));
}

/** What the statistics should count once everything is applied: one entry per (report, category) of the latest version, duplicates left out. */
export function countedEffects(report: PlannedReport): SideEffectCategory[] {
  const categories = new Set(report.effects.map((effect) => effect.category));
  for (const effect of report.followUp?.addEffects ?? []) categories.add(effect.category);
  for (const category of report.followUp?.withdrawCategories ?? []) categories.delete(category);
  return [...categories];
}

function planClinics(options: SeedOptions, random: Random): PlannedClinic[] {
  return Array.from({ length: options.clinics }, (_, index): PlannedClinic => {
    const [baseName, country, region] = CLINICS[index % CLINICS.length]!;
    const round = Math.floor(index / CLINICS.length);
    const main = MAIN_PRODUCT[index % MAIN_PRODUCT.length]!;
    let second = random.int(0, PRODUCTS.length - 2);
    if (second >= main) second += 1;
    // The outlier uses every product, so its excess infections do not pile up on one batch and pass for a pigment signal.
    const products =
      index === OUTLIER_CLINIC
        ? PRODUCTS.map((_, product) => ({ product, share: 1 / PRODUCTS.length }))
        : random.chance(0.5)
          ? [
              { product: main, share: 0.7 },
              { product: second, share: 0.3 },
            ]
          : [{ product: main, share: 1 }];
    return {
      index,
      name: round === 0 ? baseName : `${baseName} ${round + 1}`,
      country,
      region,
      // The outlier is a busy clinic: about 1,500 procedures over the period, so that its excess is clear whatever the period.
      monthlyVolume: index === OUTLIER_CLINIC ? Math.max(120, Math.ceil(1_500 / options.months)) : random.int(35, 110),
      diligence: index === OUTLIER_CLINIC ? 1 : 0.8 + random.next() * 0.4,
      infectionFactor: index === OUTLIER_CLINIC ? INFECTION_FACTOR : 1,
      products,
    };
  });
}

/** Each product goes through batches of about four months each; the middle batch of the signal product is the one planted. */
function planPigments(options: SeedOptions, months: string[]): PlannedPigment[] {
  const batches = Math.max(2, Math.ceil(options.months / 4));
  const pigments: PlannedPigment[] = [];
  PRODUCTS.forEach((product, productIndex) => {
    for (let k = 0; k < batches; k += 1) {
      const firstMonth = Math.floor((k * options.months) / batches);
      const lastMonth = Math.floor(((k + 1) * options.months) / batches) - 1;
      const made = months[firstMonth]!.replace('-', '').slice(2);
      pigments.push({
        index: pigments.length,
        product: productIndex,
        manufacturer: product.manufacturer,
        productName: product.product,
        shade: product.shade,
        batch: `${product.code}-${made}`,
        firstMonth,
        lastMonth,
        allergyFactor: productIndex === SIGNAL_PRODUCT && k === Math.floor(batches / 2) ? ALLERGY_FACTOR : 1,
      });
    }
  });
  return pigments;
}

/** Entries per clinic × batch × week of each month (the API takes counts per day). */
function planProcedures(
  options: SeedOptions,
  months: string[],
  clinics: PlannedClinic[],
  pigments: PlannedPigment[],
  random: Random,
): PlannedProcedures[] {
  const entries: PlannedProcedures[] = [];
  months.forEach((month, monthIndex) => {
    const lastDay = Math.min(daysInMonth(month), month === options.today.slice(0, 7) ? Number(options.today.slice(8)) : 31);
    const seasonal = 1 + 0.15 * Math.sin((2 * Math.PI * Number(month.slice(5))) / 12);
    // The month so far, for the current one.
    const elapsed = lastDay / daysInMonth(month);
    for (const clinic of clinics) {
      for (const { product, share } of clinic.products) {
        const pigment = pigments.find((p) => p.product === product && monthIndex >= p.firstMonth && monthIndex <= p.lastMonth)!;
        const total = Math.round(clinic.monthlyVolume * options.scale * seasonal * share * elapsed * (0.9 + random.next() * 0.2));
        const weeks = Math.min(4, total);
        for (let week = 0; week < weeks; week += 1) {
          const count = Math.floor(total / weeks) + (week < total % weeks ? 1 : 0);
          const from = Math.floor((week * lastDay) / weeks) + 1;
          const to = Math.max(from, Math.floor(((week + 1) * lastDay) / weeks));
          entries.push({ clinic: clinic.index, pigment: pigment.index, date: `${month}-${pad(random.int(from, to))}`, count });
        }
      }
    }
  });
  return entries;
}

function planReports(
  options: SeedOptions,
  clinics: PlannedClinic[],
  pigments: PlannedPigment[],
  procedures: PlannedProcedures[],
  random: Random,
): PlannedReport[] {
  const reports: PlannedReport[] = [];
  for (const entry of procedures) {
    const clinic = clinics[entry.clinic]!;
    const pigment = pigments[entry.pigment]!;
    for (let n = 0; n < entry.count; n += 1) {
      const effects: PlannedEffect[] = [];
      for (const model of CATEGORY_MODELS) {
        let probability = model.probability * clinic.diligence;
        if (model.category === 'infection') probability *= clinic.infectionFactor;
        if (model.category === 'allergic_reaction') probability *= pigment.allergyFactor;
        if (!random.chance(probability)) continue;
        const onsetDate = addDays(entry.date, model.onsetDays(random));
        // Not happened yet.
        if (onsetDate > options.today) continue;
        const effect: PlannedEffect = { category: model.category, onsetDate, severity: random.weighted(model.severity) };
        if (model.category === 'pigment_migration' || model.category === 'discoloration') effect.persistent = random.chance(0.5);
        effects.push(effect);
      }
      if (effects.length === 0) continue;
      // Infection usually comes with inflammation.
      if (effects.some((e) => e.category === 'infection') && !effects.some((e) => e.category === 'inflammation') && random.chance(0.4)) {
        effects.push({
          category: 'inflammation',
          onsetDate: effects.find((e) => e.category === 'infection')!.onsetDate,
          severity: 'moderate',
        });
      }
      reports.push(planReport(reports.length, entry, effects, options.today, random));
    }
  }
  // A few reports arrive twice (client and clinic both report); the copy is nullified as a duplicate.
  const duplicates = Math.max(reports.length >= 10 ? 2 : 0, Math.round(reports.length * 0.015));
  for (let i = 0; i < duplicates; i += 1) random.pick(reports).duplicated = true;
  return reports;
}

function planReport(index: number, entry: PlannedProcedures, effects: PlannedEffect[], today: string, random: Random): PlannedReport {
  const categories = new Set(effects.map((effect) => effect.category));
  const reporterType = random.weighted<ReporterType>([
    ['client', 60],
    ['clinic', 25],
    ['practitioner', 10],
    ['physician', 5],
  ]);
  const skinConditions: SkinCondition[] = [];
  if (random.chance(categories.has('inflammation') ? 0.15 : 0.05)) skinConditions.push('psoriasis');
  if (random.chance(categories.has('inflammation') ? 0.12 : 0.05)) skinConditions.push('eczema');
  if (random.chance(categories.has('scarring') ? 0.4 : 0.02)) skinConditions.push('scarring_tendency');
  const age = daysBetween(entry.date, today);
  const serious = categories.has('infection') || effects.some((effect) => effect.persistent);
  const report: PlannedReport = {
    index,
    clinic: entry.clinic,
    pigment: entry.pigment,
    procedureDate: entry.date,
    reporterType,
    patient: {
      ageYears: random.int(22, 64),
      sex: random.chance(0.88) ? 'male' : 'female',
      ...(skinConditions.length > 0 ? { skinConditions } : {}),
    },
    riskFactors: {
      aftercareFollowed: random.chance(categories.has('infection') ? 0.45 : 0.85),
      ...(categories.has('discoloration') ? { sunExposureWithoutProtection: random.chance(0.6) } : {}),
      patchTestDone: random.chance(categories.has('allergic_reaction') ? 0.2 : 0.6),
    },
    effects,
    outcome:
      age > 90
        ? random.weighted<Outcome>([
            ['recovered', 4],
            ['not_recovered', 3],
            ['recovered_with_sequelae', 1],
            ['unknown', 2],
          ])
        : 'recovering',
  };
  if (reporterType === 'client' && random.chance(0.3)) report.email = `client${index + 1}@example.org`;
  if (random.chance(0.4)) report.narrative = NARRATIVES[effects[0]!.category];
  if (categories.has('infection') && random.chance(0.3)) report.medicalIntervention = true;

  const followUp = random.next();
  if (categories.size === 1 && categories.has('inflammation') && followUp < 0.04) {
    const onsetDate = addDays(effects[0]!.onsetDate, 3);
    if (onsetDate <= today)
      report.followUp = { addEffects: [{ category: 'infection', onsetDate, severity: 'moderate' }], outcome: 'recovering' };
  } else if (categories.size > 1 && followUp < 0.3) {
    report.followUp = { withdrawCategories: [effects[effects.length - 1]!.category] };
  } else if (serious && followUp < 0.25) {
    report.followUp = {
      medicalIntervention: true,
      medicalInformation: 'Seen by a dermatologist; treated with a course of topical medication.',
      outcome: 'recovering',
    };
  } else if (followUp < 0.2) {
    report.followUp = { outcome: age > 30 ? 'recovered' : 'recovering' };
  }
  return report;
}

/** YYYY-MM of the `count` months ending with the month of `today`. */
export function monthsEndingAt(today: string, count: number): string[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - 1;
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(Date.UTC(year, month - (count - 1 - i), 1));
    return date.toISOString().slice(0, 7);
  });
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function daysInMonth(month: string): number {
  return new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
}

function pad(day: number): string {
  return String(day).padStart(2, '0');
}
