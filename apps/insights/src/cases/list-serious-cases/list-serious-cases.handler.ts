import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { DataSource } from 'typeorm';
import { SqlFilter, preparedQuery } from '@smp/persistence';
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
      // Written in, not bound: a prepared statement's generic plan can then use the indexes made for serious cases (a
      // bound value could be either, and only a plan made anew for each value could).
      .always(filter.serious === false ? 'NOT serious' : 'serious')
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
    // One row: the total, and the page as one JSON array (perf: one JSON.parse, not a Date, two arrays and eleven
    // values parsed per row by the driver; JSON gives a date as YYYY-MM-DD whatever the DateStyle); a prepared statement
    // (see preparedQuery).
    const [result] = await preparedQuery<{ total: string; page: PageRow[] }>(
      this.db,
      `SELECT (SELECT count(*) FROM projector.cases ${where.where}) AS total,
              (SELECT coalesce(json_agg(json_build_object(
                        'caseId', case_id, 'version', case_version, 'clinicId', clinic_id, 'pigmentId', pigment_id,
                        'procedureDate', procedure_date, 'categories', categories, 'serious', serious,
                        'seriousReasons', serious_reasons, 'reportingDueBy', reporting_due_by,
                        'outcome', outcome, 'nullified', nullified,
                        'rank', CASE WHEN NOT nullified AND reporting_due_by < $1::date THEN 0 ELSE 1 END)
                      ORDER BY reporting_due_by, case_id COLLATE "C"), '[]'::json)
                 FROM (SELECT * FROM projector.cases ${where.where} ${after}
                        ORDER BY reporting_due_by, case_id COLLATE "C" LIMIT ${where.param(limit + 1)}) page) AS page`,
      where.params,
    );
    const found = result?.page ?? [];
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      asOf,
      totalRows: Number(result?.total ?? 0),
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

/** A row of the page as the statement gives it. */
type PageRow = Omit<CaseDeadline, 'status'> & { nullified: boolean; rank: number };

/** A case-list cursor: the last row's rank (0 overdue, 1 not), due date (null: none) and case id. */
const CASE_CURSOR: CursorShape = ['integer', 'string or null', 'string'];
