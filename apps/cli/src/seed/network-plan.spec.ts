import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { disproportionality, funnelPlot } from '@smp/statistics';
import { DEFAULT_SEED_OPTIONS, countedEffects, planNetwork, type SeedOptions, type SeedPlan } from './network-plan.js';

/** What the read side will count: per clinic procedures and infection reports, per batch × category reports. */
function infectionFunnel(plan: SeedPlan) {
  const units = plan.clinics.map((clinic) => ({ id: String(clinic.index), events: 0, trials: 0 }));
  for (const entry of plan.procedures) units[entry.clinic]!.trials += entry.count;
  for (const report of plan.reports) if (countedEffects(report).includes('infection')) units[report.clinic]!.events += 1;
  return funnelPlot(units);
}

function allergySignal(plan: SeedPlan, pigment: number) {
  return signalOf(plan, pigment, 'allergic_reaction');
}

function signalOf(plan: SeedPlan, pigment: number, wanted: SideEffectCategory) {
  let a = 0,
    b = 0,
    c = 0,
    d = 0;
  for (const report of plan.reports) {
    for (const category of countedEffects(report)) {
      const mine = report.pigment === pigment;
      const allergy = category === wanted;
      if (mine && allergy) a += 1;
      else if (mine) b += 1;
      else if (allergy) c += 1;
      else d += 1;
    }
  }
  return disproportionality({ a, b, c, d });
}

describe(planNetwork.name, () => {
  const options: SeedOptions = { ...DEFAULT_SEED_OPTIONS, today: '2026-11-22' };

  it('is the same network for the same seed and day', () => {
    expect(planNetwork(options)).toEqual(planNetwork(options));
    expect(planNetwork({ ...options, seed: 2 }).reports).not.toEqual(planNetwork(options).reports);
  });

  it('has clinics in several countries, several manufacturers with batches, and realistic volumes', () => {
    const plan = planNetwork(options);
    expect(new Set(plan.clinics.map((c) => c.country)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(plan.pigments.map((p) => p.manufacturer)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(plan.pigments.map((p) => p.batch)).size).toBe(plan.pigments.length);
    const procedures = plan.procedures.reduce((sum, entry) => sum + entry.count, 0);
    // 35 to 110 procedures a clinic a month.
    expect(procedures / plan.clinics.length / plan.months.length).toBeGreaterThan(35);
    expect(procedures / plan.clinics.length / plan.months.length).toBeLessThan(110);
    expect(plan.procedures.every((entry) => entry.date <= options.today && entry.count >= 1)).toBe(true);
    expect(plan.reports.every((r) => r.effects.every((e) => e.onsetDate >= r.procedureDate && e.onsetDate <= options.today))).toBe(true);
  });

  it('reports inflammation most, infection rarely, and migration and discoloration more for older procedures', () => {
    const plan = planNetwork(options);
    const counts = Object.fromEntries(SIDE_EFFECT_CATEGORIES.map((c) => [c, 0]));
    for (const report of plan.reports) for (const category of countedEffects(report)) counts[category] += 1;
    const most = Object.entries(counts).sort((x, y) => y[1] - x[1])[0]![0];
    expect(most).toBe('inflammation');
    const elsewhere = (category: string) =>
      plan.reports.filter((r) => r.clinic !== plan.outlierClinic && countedEffects(r).includes(category as never)).length;
    expect(elsewhere('infection')).toBeLessThan(elsewhere('inflammation') / 4);

    const half = plan.months[Math.floor(plan.months.length / 2)]!;
    const rate = (older: boolean, category: string) => {
      const inHalf = (date: string) => date.slice(0, 7) < half === older;
      const procedures = plan.procedures.filter((e) => inHalf(e.date)).reduce((sum, e) => sum + e.count, 0);
      const reports = plan.reports.filter((r) => inHalf(r.procedureDate) && countedEffects(r).includes(category as never)).length;
      return reports / procedures;
    };
    expect(rate(true, 'pigment_migration')).toBeGreaterThan(1.5 * rate(false, 'pigment_migration'));
    expect(rate(true, 'discoloration')).toBeGreaterThan(1.5 * rate(false, 'discoloration'));
  });

  it('has follow-ups and a few duplicates', () => {
    const plan = planNetwork(options);
    expect(plan.reports.filter((r) => r.followUp).length).toBeGreaterThan(10);
    expect(plan.reports.filter((r) => r.duplicated).length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['defaults', options],
    ['another day', { ...options, today: '2027-03-01' }],
    ['seed 7', { ...options, seed: 7 }],
    ['seed 99, 11 clinics, 6 months', { ...options, seed: 99, clinics: 11, months: 6 }],
    ['30 clinics', { ...options, seed: 3, clinics: 30 }],
  ])('plants an infection outlier above the 99.8%% limit after the overdispersion adjustment (%s)', (_, given) => {
    const plan = planNetwork(given);
    const funnel = infectionFunnel(plan);
    const outlier = funnel.units[plan.outlierClinic]!;
    expect(outlier.band).toBe('above_99_8');
    // With room to spare, so that other data in the same database cannot pull it back.
    expect(outlier.adjustedZ).toBeGreaterThan(4);
    expect(funnel.units.filter((unit) => unit.band === 'above_99_8').map((unit) => Number(unit.id))).toEqual([plan.outlierClinic]);
  });

  it.each([
    ['defaults', options],
    ['another day', { ...options, today: '2027-03-01' }],
    ['seed 7', { ...options, seed: 7 }],
    ['seed 99, 11 clinics, 6 months', { ...options, seed: 99, clinics: 11, months: 6 }],
  ])('plants an allergic-reaction signal on one batch by Evans, ROR and IC (%s)', (_, given) => {
    const plan = planNetwork(given);
    const signal = allergySignal(plan, plan.signalPigment);
    expect(signal.signals).toEqual({ prr: true, ror: true, ic: true });
    expect(signal.prr!.estimate).toBeGreaterThan(3);
    // It stands out from every other batch × category pair (a few of which pass a criterion by chance, as in real data).
    const pairs = plan.pigments.flatMap((p) =>
      SIDE_EFFECT_CATEGORIES.map((category) => ({ name: `${p.batch} ${category}`, result: signalOf(plan, p.index, category) })),
    );
    const ranked = pairs.sort((x, y) => y.result.ic.lower - x.result.ic.lower);
    expect(ranked[0]!.name).toBe(`${plan.pigments[plan.signalPigment]!.batch} allergic_reaction`);
    expect(ranked[0]!.result.ic.lower).toBeGreaterThan(ranked[1]!.result.ic.lower + 0.4);
  });

  it('refuses sizes it cannot plant the signal and the outlier in', () => {
    expect(() => planNetwork({ ...options, clinics: 2 })).toThrow(/clinics must be/);
    expect(() => planNetwork({ ...options, months: 1 })).toThrow(/months must be/);
  });
});
