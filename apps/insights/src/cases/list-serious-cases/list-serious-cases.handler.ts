import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { SqlFilter } from '@smp/persistence';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';
import { ListSeriousCasesQuery, type CaseDeadline, type CaseDeadlines } from './list-serious-cases.query.js';

/** Cases with their reporting deadlines, overdue first, then by due date; from the projector's case table. */
@QueryHandler(ListSeriousCasesQuery)
export class ListSeriousCasesHandler implements IQueryHandler<ListSeriousCasesQuery, CaseDeadlines> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: ListSeriousCasesQuery): Promise<CaseDeadlines> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter, onlyClinic, asOf }: ListSeriousCasesQuery): Promise<CaseDeadlines> {
    const where = new SqlFilter([asOf])
      .when(filter.serious ?? true, (p) => `serious = ${p}`)
      .when(filter.dueBefore, (p) => `reporting_due_by < ${p}::date`)
      .when(onlyClinic ?? filter.clinicId, (p) => `clinic_id = ${p}`)
      .always(
        filter.status === 'nullified'
          ? 'nullified'
          : filter.status === 'overdue'
            ? 'NOT nullified AND reporting_due_by < $1::date'
            : filter.status === 'due'
              ? 'NOT nullified AND (reporting_due_by IS NULL OR reporting_due_by >= $1::date)'
              : 'NOT nullified',
      );
    const rows: Array<Omit<CaseDeadline, 'status'> & { nullified: boolean }> = await this.db.query(
      `SELECT case_id AS "caseId", case_version AS version, clinic_id AS "clinicId", pigment_id AS "pigmentId",
              to_char(procedure_date, 'YYYY-MM-DD') AS "procedureDate", categories, serious, serious_reasons AS "seriousReasons",
              to_char(reporting_due_by, 'YYYY-MM-DD') AS "reportingDueBy", outcome, nullified
         FROM projector.cases ${where.where}
        ORDER BY (NOT nullified AND reporting_due_by < $1::date) DESC, reporting_due_by NULLS LAST, case_id`,
      where.params,
    );
    return {
      asOf,
      rows: rows.map(({ nullified, ...row }) => ({
        ...row,
        status: nullified ? 'nullified' : row.reportingDueBy !== null && row.reportingDueBy < asOf ? 'overdue' : 'due',
      })),
    };
  }
}
