import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { DataSource } from 'typeorm';
import { SqlFilter } from '@smp/persistence';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type CursorShape } from '../../read-model/paging.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';
import { ListSeriousCasesQuery, type CaseDeadline, type CaseDeadlines } from './list-serious-cases.query.js';

/** Cases with their reporting deadlines, overdue first, then by due date; from the projector's case table. */
@QueryHandler(ListSeriousCasesQuery)
export class ListSeriousCasesHandler implements IQueryHandler<ListSeriousCasesQuery, Answer<CaseDeadlines>> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: ListSeriousCasesQuery): Promise<Answer<CaseDeadlines>> {
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
    const cursor = filter.cursor ? decodeCursor(filter.cursor, CASE_CURSOR) : null;
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    // Overdue first (rank 0), then by due date (none last), then case id in code point order: the cursor carries the three.
    // perf: within any status filter the rank follows the due date (a case is overdue exactly when its date is before
    // asOf, and every status filter keeps either nullified cases only or none), so the order is (due date, case id),
    // which cases_clinic_due_idx gives a clinic's cases in: the page is read in order and stops at its last row, and
    // the count reads no column it does not need (the page was sorted, and every matching case formatted, before).
    const after = cursor
      ? `AND (coalesce(reporting_due_by, 'infinity'::date), case_id COLLATE "C") > (coalesce(${where.param(cursor[1])}::date, 'infinity'::date), ${where.param(cursor[2])})`
      : '';
    // One row at least (the total), even past the last page.
    const rows: Array<Omit<CaseDeadline, 'status'> & { nullified: boolean; rank: number; total: string }> = await this.db.query(
      `SELECT (SELECT count(*) FROM projector.cases ${where.where}) AS total, page.*
         FROM (VALUES (1)) AS one (n)
         LEFT JOIN LATERAL (
           SELECT case_id AS "caseId", case_version AS version, clinic_id AS "clinicId", pigment_id AS "pigmentId",
                  to_char(procedure_date, 'YYYY-MM-DD') AS "procedureDate", categories, serious, serious_reasons AS "seriousReasons",
                  to_char(reporting_due_by, 'YYYY-MM-DD') AS "reportingDueBy", outcome, nullified,
                  CASE WHEN NOT nullified AND reporting_due_by < $1::date THEN 0 ELSE 1 END AS rank, reporting_due_by AS due
             FROM projector.cases ${where.where} ${after}
            ORDER BY reporting_due_by, case_id COLLATE "C" LIMIT ${where.param(limit + 1)}) page ON true
        ORDER BY page.due, page."caseId" COLLATE "C"`,
      where.params,
    );
    const found = rows.filter((row) => row.caseId !== null);
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      asOf,
      totalRows: Number(rows[0]?.total ?? 0),
      rows: page.map((row) => ({
        caseId: row.caseId,
        version: row.version,
        clinicId: row.clinicId,
        pigmentId: row.pigmentId,
        procedureDate: row.procedureDate,
        categories: row.categories,
        serious: row.serious,
        seriousReasons: row.seriousReasons,
        reportingDueBy: row.reportingDueBy,
        outcome: row.outcome,
        status: row.nullified ? 'nullified' : row.reportingDueBy !== null && row.reportingDueBy < asOf ? 'overdue' : 'due',
      })),
      nextCursor: found.length > limit && last ? encodeCursor([last.rank, last.reportingDueBy, last.caseId]) : null,
    };
  }
}

/** A case-list cursor: the last row's rank (0 overdue, 1 not), due date (null: none) and case id. */
const CASE_CURSOR: CursorShape = ['integer', 'string or null', 'string'];
