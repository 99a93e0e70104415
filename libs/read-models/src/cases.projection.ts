import type { EntityManager } from 'typeorm';
import { REPORT_AMENDED_V1, REPORT_NULLIFIED_V1, REPORT_SUBMITTED_V1, ReportV1, TOPICS } from '@smp/contracts';
import type { ChangedMonths, TopicProjection } from './topic-projection.js';

/**
 * The latest version of every case from `smp.reports.v1`: seriousness, legal
 * deadline, outcome and categories, for the serious-case lists. An older
 * version arriving late never overwrites a newer one.
 */
export class CasesProjection implements TopicProjection<ReportV1> {
  readonly topic = TOPICS.reports;
  readonly types = [REPORT_SUBMITTED_V1, REPORT_AMENDED_V1, REPORT_NULLIFIED_V1];
  readonly contract = ReportV1;

  toChange(_type: string, data: ReportV1): ReportV1 {
    return data;
  }

  /** The case list only: no month's counts move (the side-effect topic carries those). */
  async apply(tx: EntityManager, reports: readonly ReportV1[]): Promise<ChangedMonths> {
    if (reports.length === 0) return [];
    const latest = new Map<string, ReportV1>();
    for (const report of reports) {
      const seen = latest.get(report.caseId);
      if (!seen || seen.caseVersion < report.caseVersion) latest.set(report.caseId, report);
    }
    const rows = [...latest.values()]
      .sort((x, y) => (x.caseId < y.caseId ? -1 : 1))
      .map((report) => ({
        case_id: report.caseId,
        case_version: report.caseVersion,
        clinic_id: report.clinicId,
        pigment_id: report.pigmentId ?? null,
        procedure_date: report.procedureDate,
        serious: report.serious,
        serious_reasons: report.seriousReasons,
        reporting_due_by: report.reportingDueBy ?? null,
        outcome: report.outcome ?? null,
        nullified: report.nullified,
        categories: report.effects.map((effect) => effect.category),
      }));
    await tx.query(
      `INSERT INTO cases AS t (case_id, case_version, clinic_id, pigment_id, procedure_date, serious, serious_reasons,
                               reporting_due_by, outcome, nullified, categories)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(case_id text, case_version int, clinic_id text, pigment_id text,
              procedure_date date, serious boolean, serious_reasons text[], reporting_due_by date, outcome text,
              nullified boolean, categories text[])
       ON CONFLICT (case_id) DO UPDATE SET
         case_version = excluded.case_version, clinic_id = excluded.clinic_id, pigment_id = excluded.pigment_id,
         procedure_date = excluded.procedure_date, serious = excluded.serious, serious_reasons = excluded.serious_reasons,
         reporting_due_by = excluded.reporting_due_by, outcome = excluded.outcome, nullified = excluded.nullified,
         categories = excluded.categories
       WHERE t.case_version < excluded.case_version`,
      [JSON.stringify(rows)],
    );
    return [];
  }
}
