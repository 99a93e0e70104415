import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProblemError } from '@smp/http';
import { SqlFilter } from '@smp/persistence';
import { periodOf } from '../../read-model/period.js';
import { CountTermsQuery, type TermCounts } from './count-terms.query.js';
import type { CountField } from './count-terms.request.dto.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** The SQL expression of each countable field over side_effect_counts t, pigments p and clinics k. */
const TERM: Record<CountField, string> = {
  category: 't.category',
  manufacturer: 'p.manufacturer',
  product: 'p.product',
  batch: 'p.batch',
  country: 'k.country',
  clinic: 't.clinic_id',
  month: `to_char(t.procedure_month, 'YYYY-MM')`,
  outcome: `CASE WHEN t.outcome = '' THEN 'unknown' ELSE t.outcome END`,
  severity: 't.severity',
};

const DEFAULT_LIMIT = 100;

/**
 * openFDA-style counts: the terms of one field with their report counts, most
 * frequent first (ties by term), paged by a cursor that names the last term
 * seen, so that every page is cheap and the whole list is reachable.
 */
@QueryHandler(CountTermsQuery)
export class CountTermsHandler implements IQueryHandler<CountTermsQuery, TermCounts> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: CountTermsQuery): Promise<TermCounts> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter, onlyClinic }: CountTermsQuery): Promise<TermCounts> {
    const period = periodOf(filter.from, filter.to);
    const after = filter.cursor ? decodeCursor(filter.cursor) : null;
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const term = TERM[filter.field];
    const measure = filter.serious === undefined ? 't.reports' : filter.serious ? 't.serious' : 't.reports - t.serious';
    const where = new SqlFilter()
      .when(period.from, (p) => `t.procedure_month >= ${p}::date`)
      .when(period.to, (p) => `t.procedure_month <= ${p}::date`)
      .when(filter.category, (p) => `t.category = ${p}`)
      .when(filter.manufacturer, (p) => `p.manufacturer = ${p}`)
      .when(filter.product, (p) => `p.product = ${p}`)
      .when(filter.batch, (p) => `p.batch = ${p}`)
      .when(filter.country, (p) => `k.country = ${p}`)
      .when(onlyClinic ?? filter.clinicId, (p) => `t.clinic_id = ${p}`)
      .when(filter.severity, (p) => `t.severity = ${p}`)
      .when(filter.outcome, (p) => (filter.outcome === 'unknown' ? `t.outcome IN ('', ${p})` : `t.outcome = ${p}`));
    const page = after
      ? `WHERE count < ${where.param(after.count)} OR (count = ${where.param(after.count)} AND term > ${where.param(after.term)})`
      : '';
    // One row at least (the total), even past the last page.
    const rows: Array<{ total: string; term: string | null; count: string | null }> = await this.db.query(
      `WITH terms AS (
         SELECT ${term} AS term, sum(${measure}) AS count
           FROM projector.side_effect_counts t
           LEFT JOIN projector.pigments p ON p.pigment_id = t.pigment_id
           LEFT JOIN projector.clinics k ON k.clinic_id = t.clinic_id
          ${where.where}
          GROUP BY 1
         HAVING sum(${measure}) > 0 AND ${term} IS NOT NULL)
       SELECT total.n AS total, page.term, page.count
         FROM (SELECT count(*) AS n FROM terms) total
         LEFT JOIN LATERAL (SELECT term, count FROM terms ${page} ORDER BY count DESC, term LIMIT ${where.param(limit + 1)}) page ON true
        ORDER BY page.count DESC, page.term`,
      where.params,
    );
    const found = rows.filter((row) => row.term !== null).map((row) => ({ term: row.term!, count: Number(row.count) }));
    const pageRows = found.slice(0, limit);
    const last = pageRows.at(-1);
    return {
      field: filter.field,
      totalTerms: Number(rows[0]?.total ?? 0),
      rows: pageRows,
      nextCursor: found.length > limit && last ? encodeCursor(last) : null,
    };
  }
}

function encodeCursor(last: { term: string; count: number }): string {
  return Buffer.from(JSON.stringify([last.count, last.term])).toString('base64url');
}

function decodeCursor(cursor: string): { count: number; term: string } {
  try {
    const [count, term] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(count) && typeof term === 'string') return { count: count as number, term };
  } catch {
    // falls through to the problem below
  }
  throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'cursor is not a nextCursor this endpoint gave.', [
    { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
  ]);
}
