import { randomBytes } from 'node:crypto';
import { IntakeClient, IntakeRequestError, inParallel } from './intake-client.js';
import type { PlannedEffect, PlannedPigment, PlannedReport, SeedOptions, SeedPlan } from './network-plan.js';

/** Intake takes 1,000 entries a call, but its 64 KiB body limit about 800. */
const PROCEDURES_PER_CALL = 500;

/** What `seed` writes to the keys file (.cache/demo-keys.json): the demo keys and what was planted, for people and for tests. */
export interface DemoKeys {
  createdAt: string;
  intake: string;
  options: SeedOptions;
  regulator: { key: string };
  /** The clinic whose key `npm start` prints. */
  clinic: DemoClinic;
  clinics: DemoClinic[];
  /** The clinic with the raised infection rate (a funnel outlier). */
  outlier: DemoClinic & { category: 'infection' };
  /** The batch with the raised allergic-reaction rate (a signal). */
  signal: { pigmentId: string; manufacturer: string; product: string; batch: string; category: 'allergic_reaction' };
}

export interface DemoClinic {
  clinicId: string;
  name: string;
  country: string;
  key: string;
}

export interface SeedSummary {
  clinics: number;
  pigments: number;
  procedures: number;
  cases: number;
  followUps: number;
  nullified: number;
}

export interface SeedProgress {
  /** Requests made so far and in all. */
  onProgress(done: number, total: number, stage: string): void;
  /** Called once the registries and keys exist, before procedures and reports are sent. */
  onKeys(keys: DemoKeys): void | Promise<void>;
}

interface SubmittedReport {
  caseId: string;
  followUpToken: string;
}

/**
 * Drives a planned network through the real intake API: registers the
 * clinics and pigments and makes the keys (admin key), records procedures
 * (each clinic with its own key), submits the reports (clinic-reported ones
 * with the clinic's key), sends the follow-ups with each case's follow-up
 * token, and nullifies the duplicates.
 */
export class NetworkSeeder {
  private done = 0;
  private total = 0;
  /** Makes this run's Idempotency-Keys its own, so a second run on the same database is not taken for a retry. */
  private readonly run = randomBytes(6).toString('base64url');

  constructor(
    private readonly intake: IntakeClient,
    private readonly concurrency: number,
  ) {}

  async seed(plan: SeedPlan, progress: SeedProgress): Promise<SeedSummary> {
    const batches = plan.clinics.map((clinic) => plan.procedures.filter((entry) => entry.clinic === clinic.index));
    const procedureCalls = batches.reduce((sum, entries) => sum + Math.ceil(entries.length / PROCEDURES_PER_CALL), 0);
    const followUps = plan.reports.filter((report) => report.followUp).length;
    const duplicates = plan.reports.filter((report) => report.duplicated).length;
    this.total = plan.clinics.length * 2 + plan.pigments.length + 1 + procedureCalls + plan.reports.length + followUps + duplicates * 2;
    const step = (stage: string) => {
      this.done += 1;
      progress.onProgress(this.done, this.total, stage);
    };
    progress.onProgress(0, this.total, 'registries');

    const clinicIds: string[] = [];
    for (const clinic of plan.clinics) {
      const { clinicId } = await this.intake.post<{ clinicId: string }>(
        '/v1/clinics',
        { name: clinic.name, country: clinic.country, region: clinic.region },
        { what: `registering clinic ${clinic.name}` },
      );
      clinicIds[clinic.index] = clinicId;
      step('registries');
    }
    const pigmentIds: string[] = [];
    const batchNames: string[] = [];
    for (const pigment of plan.pigments) {
      const { pigmentId, batch } = await this.registerPigment(pigment);
      pigmentIds[pigment.index] = pigmentId;
      batchNames[pigment.index] = batch;
      step('registries');
    }

    const clinics: DemoClinic[] = [];
    for (const clinic of plan.clinics) {
      const { key } = await this.intake.post<{ key: string }>(
        '/v1/admin/api-keys',
        { role: 'clinic', clinicId: clinicIds[clinic.index] },
        { what: `creating the key of ${clinic.name}` },
      );
      clinics.push({ clinicId: clinicIds[clinic.index]!, name: clinic.name, country: clinic.country, key });
      step('keys');
    }
    const regulator = await this.intake.post<{ key: string }>(
      '/v1/admin/api-keys',
      { role: 'regulator' },
      { what: 'creating a regulator key' },
    );
    step('keys');
    const signal = plan.pigments[plan.signalPigment]!;
    await progress.onKeys({
      createdAt: new Date().toISOString(),
      intake: this.intake.baseUrl,
      options: plan.options,
      regulator: { key: regulator.key },
      clinic: clinics[plan.demoClinic]!,
      clinics,
      outlier: { ...clinics[plan.outlierClinic]!, category: 'infection' },
      signal: {
        pigmentId: pigmentIds[signal.index]!,
        manufacturer: signal.manufacturer,
        product: signal.productName,
        batch: batchNames[signal.index]!,
        category: 'allergic_reaction',
      },
    });

    await inParallel(
      batches.flatMap((entries, clinic) => chunks(entries, PROCEDURES_PER_CALL).map((chunk) => ({ clinic, chunk }))),
      Math.min(this.concurrency, 4),
      async ({ clinic, chunk }) => {
        await this.intake.post(
          `/v1/clinics/${clinicIds[clinic]}/procedures`,
          { procedures: chunk.map((entry) => ({ date: entry.date, pigmentId: pigmentIds[entry.pigment], count: entry.count })) },
          { key: clinics[clinic]!.key, what: `recording procedures of ${clinics[clinic]!.name}` },
        );
        step('procedures');
      },
    );

    let nullified = 0;
    await inParallel(plan.reports, this.concurrency, async (report) => {
      const key = report.reporterType === 'clinic' ? clinics[report.clinic]!.key : undefined;
      const body = this.reportBody(report, clinicIds, pigmentIds);
      const submitted = await this.intake.post<SubmittedReport>('/v1/reports', body, {
        key,
        headers: { 'idempotency-key': `seed-${this.run}-${report.index}` },
        what: `report ${report.index + 1}`,
      });
      step('reports');
      if (report.followUp) {
        const { addEffects, ...rest } = report.followUp;
        await this.intake.post(
          `/v1/reports/${submitted.caseId}/follow-ups`,
          { ...rest, ...(addEffects ? { addEffects: addEffects.map(effectBody) } : {}) },
          { key: null, headers: { 'x-follow-up-token': submitted.followUpToken }, what: `follow-up of ${submitted.caseId}` },
        );
        step('follow-ups');
      }
      if (report.duplicated) {
        // The same complication reported again by someone else; an admin recognises it and nullifies the copy.
        const copy = await this.intake.post<SubmittedReport>(
          '/v1/reports',
          { ...body, reporter: { type: report.reporterType === 'client' ? 'clinic' : 'client' } },
          { headers: { 'idempotency-key': `seed-${this.run}-${report.index}-copy` }, what: `duplicate of ${submitted.caseId}` },
        );
        step('duplicates');
        await this.intake.post(
          `/v1/reports/${copy.caseId}/nullification`,
          { reason: 'duplicate', duplicateOf: submitted.caseId, note: 'Reported by both the client and the clinic.' },
          { what: `nullifying ${copy.caseId}` },
        );
        nullified += 1;
        step('duplicates');
      }
    });

    return {
      clinics: plan.clinics.length,
      pigments: plan.pigments.length,
      procedures: plan.procedures.reduce((sum, entry) => sum + entry.count, 0),
      cases: plan.reports.length + nullified,
      followUps,
      nullified,
    };
  }

  /** A batch already registered (a second seed in the same database) is registered again under a suffixed name. */
  private async registerPigment(pigment: PlannedPigment): Promise<{ pigmentId: string; batch: string }> {
    for (let attempt = 1; ; attempt += 1) {
      const batch = attempt === 1 ? pigment.batch : `${pigment.batch}-${attempt}`;
      try {
        const { pigmentId } = await this.intake.post<{ pigmentId: string }>(
          '/v1/pigments',
          { manufacturer: pigment.manufacturer, product: pigment.productName, shade: pigment.shade, batch },
          { what: `registering pigment ${batch}` },
        );
        return { pigmentId, batch };
      } catch (error) {
        if (!(error instanceof IntakeRequestError && error.status === 409) || attempt >= 20) throw error;
      }
    }
  }

  private reportBody(report: PlannedReport, clinicIds: string[], pigmentIds: string[]) {
    return {
      clinicId: clinicIds[report.clinic],
      pigmentId: pigmentIds[report.pigment],
      procedureDate: report.procedureDate,
      reporter: { type: report.reporterType, ...(report.email ? { contact: { email: report.email } } : {}) },
      patient: report.patient,
      effects: report.effects.map(effectBody),
      outcome: report.outcome,
      ...(report.medicalIntervention ? { medicalIntervention: true } : {}),
      riskFactors: report.riskFactors,
      ...(report.narrative ? { narrative: report.narrative } : {}),
    };
  }
}

function effectBody(effect: PlannedEffect) {
  return {
    category: effect.category,
    onsetDate: effect.onsetDate,
    severity: effect.severity,
    ...(effect.persistent === undefined ? {} : { persistent: effect.persistent }),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
