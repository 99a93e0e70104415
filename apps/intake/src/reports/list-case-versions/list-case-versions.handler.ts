import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { authorizeCaseAccess } from '../../cases/case-access.js';
import { CaseRepository } from '../../cases/case.repository.js';
import { ListCaseVersionsQuery, type CaseVersionView } from './list-case-versions.query.js';

interface VersionRow {
  version: number;
  kind: CaseVersionView['kind'];
  recorded_at: Date;
  serious: boolean;
  serious_reasons: string[];
  reporting_due_by: string | null;
  report: Record<string, unknown>;
  personal: CaseVersionView['personal'];
  has_personal: boolean;
}

/** Every version of a case, oldest first; personal data only for admins. */
@QueryHandler(ListCaseVersionsQuery)
export class ListCaseVersionsHandler implements IQueryHandler<ListCaseVersionsQuery> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly db: DataSource,
  ) {}

  async execute({ caseId, principal }: ListCaseVersionsQuery): Promise<{ caseId: string; versions: CaseVersionView[] }> {
    authorizeCaseAccess(principal, await this.cases.find(caseId), caseId, { allowToken: false });
    const admin = principal.kind === 'key' && principal.role === 'admin';
    const rows = await this.db.query(
      `SELECT v.version, v.kind, v.recorded_at, coalesce(v.serious, c.serious) AS serious,
              coalesce(v.serious_reasons, c.serious_reasons) AS serious_reasons,
              to_char(v.reporting_due_by, 'YYYY-MM-DD') AS reporting_due_by, v.report,
              ${admin ? `jsonb_build_object('contact', p.contact, 'narrative', p.narrative, 'effectDescriptions', p.effect_descriptions)` : 'NULL'} AS personal,
              p.case_id IS NOT NULL AS has_personal
         FROM intake.case_versions v
         JOIN intake.cases c ON c.case_id = v.case_id
         LEFT JOIN intake.case_personal_data p ON p.case_id = v.case_id AND p.version = v.version
        WHERE v.case_id = $1 ORDER BY v.version`,
      [caseId],
    );
    return {
      caseId,
      versions: rows.map((row: VersionRow) => ({
        version: row.version,
        kind: row.kind,
        recordedAt: new Date(row.recorded_at).toISOString(),
        serious: row.serious,
        seriousReasons: row.serious_reasons,
        reportingDueBy: row.reporting_due_by,
        facts: row.report,
        ...(admin ? { personal: row.has_personal ? row.personal : null } : {}),
      })),
    };
  }
}
