import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { DataSource } from 'typeorm';
import { SqlFilter } from '@smp/persistence';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, type CursorShape } from '../../read-model/paging.js';
import { periodOf } from '../../read-model/period.js';
import { CountTermsQuery, type TermCount, type TermCounts } from './count-terms.query.js';
import { TermTallies } from './term-tallies.js';
import type { CountField, CountTermsRequestDto } from './count-terms.request.dto.js';
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

/** A term-count cursor: the count and the term of the last row. */
const TERM_CURSOR: CursorShape = ['integer', 'string'];

/**
 * openFDA-style counts: the terms of one field with their report counts, most
 * frequent first (ties by term, in code point order), paged by a cursor that
 * names the last term seen, so that the whole list is reachable. Counts
 * narrowed by period, category and seriousness alone (the common question:
 * which manufacturers, which months) add up the read models held in memory
 * (TermTallies); any other filter asks Postgres for the cube's cells.
 */
@QueryHandler(CountTermsQuery)
export class CountTermsHandler implements IQueryHandler<CountTermsQuery, Answer<TermCounts>> {
  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
    private readonly tallies: TermTallies,
  ) {}

  execute(query: CountTermsQuery): Promise<Answer<TermCounts>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter, onlyClinic }: CountTermsQuery): Promise<TermCounts> {
    const cursor = filter.cursor ? decodeCursor(filter.cursor, TERM_CURSOR) : null;
    const after = cursor ? { count: cursor[0] as number, term: cursor[1] as string } : null;
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const { totalTerms, found } = heldSuffices(filter, onlyClinic)
      ? termPageOf(await this.tallies.counts(filter.field, periodOf(filter.from, filter.to), filter), after, limit)
      : await countTermsBySql(this.db, filter, onlyClinic, after, limit);
    const rows = found.slice(0, limit);
    const last = rows.at(-1);
    return {
      field: filter.field,
      totalTerms,
      rows,
      nextCursor: found.length > limit && last ? encodeCursor([last.count, last.term]) : null,
    };
  }
}

/** The terms after the cursor, up to one more than `limit` (to tell whether another page follows). */
export interface TermPage {
  totalTerms: number;
  found: TermCount[];
}

/**
 * What a term's count adds up in the cube: reports naming the category (`reports`, one per case and category: a report
 * with two complications is in two cells), or reports themselves, each once (`cases`), or once per severity
 * (`severity_cases`, for counts by or narrowed to severity). Across categories a report counts once, as openFDA counts
 * a report once per term: for clinic, month, outcome and the rest unless one category is asked for; for category, once
 * in each category it names.
 */
function countedColumn(filter: Pick<CountTermsRequestDto, 'field' | 'category' | 'severity'>): 'reports' | 'cases' | 'severity_cases' {
  if (filter.category !== undefined || filter.field === 'category') return 'reports';
  return filter.field === 'severity' || filter.severity !== undefined ? 'severity_cases' : 'cases';
}

/** Whether the counts need only what TermTallies holds: no filter but period, category and seriousness. */
function heldSuffices(filter: CountTermsRequestDto, onlyClinic: string | null): boolean {
  return [
    onlyClinic,
    filter.manufacturer,
    filter.product,
    filter.batch,
    filter.country,
    filter.clinicId,
    filter.severity,
    filter.outcome,
  ].every((narrowing) => narrowing === undefined || narrowing === null);
}

/** A page of terms counted in memory, in the order and by the cursor rule of the SQL below. */
export function termPageOf(counts: ReadonlyMap<string, number>, after: TermCount | null, limit: number): TermPage {
  const terms: TermCount[] = [];
  for (const [term, count] of counts) if (count > 0) terms.push({ term, count });
  terms.sort((x, y) => y.count - x.count || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0));
  const start = after ? terms.findIndex(({ term, count }) => count < after.count || (count === after.count && term > after.term)) : 0;
  return { totalTerms: terms.length, found: start < 0 ? [] : terms.slice(start, start + limit + 1) };
}

/** A page of terms counted by Postgres over the side-effect cube, with any of the filters. */
export async function countTermsBySql(
  db: DataSource,
  filter: CountTermsRequestDto,
  onlyClinic: string | null,
  after: TermCount | null,
  limit: number,
): Promise<TermPage> {
  const period = periodOf(filter.from, filter.to);
  const term = TERM[filter.field];
  const column = countedColumn(filter);
  const serious = { reports: 't.serious', cases: 't.serious_cases', severity_cases: 't.severity_serious_cases' }[column];
  const measure = filter.serious === undefined ? `t.${column}` : filter.serious ? serious : `t.${column} - ${serious}`;
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
  // Terms compare in code point order (COLLATE "C"), whatever the database's collation: the order of the terms counted
  // in memory, and a cursor's meaning that does not depend on the server.
  const page = after
    ? `WHERE count < ${where.param(after.count)} OR (count = ${where.param(after.count)} AND term > ${where.param(after.term)} COLLATE "C")`
    : '';
  // One row at least (the total), even past the last page.
  const rows: Array<{ total: string; term: string | null; count: string | null }> = await db.query(
    `WITH terms AS (
       SELECT ${term} AS term, sum(${measure}) AS count
         FROM projector.side_effect_counts t
         LEFT JOIN projector.pigments p ON p.pigment_id = t.pigment_id
         LEFT JOIN projector.clinics k ON k.clinic_id = t.clinic_id
        ${where.where}
        GROUP BY 1
       HAVING sum(${measure}) > 0 AND ${term} IS NOT NULL AND ${term} <> '')
     SELECT total.n AS total, page.term, page.count
       FROM (SELECT count(*) AS n FROM terms) total
       LEFT JOIN LATERAL (SELECT term, count FROM terms ${page} ORDER BY count DESC, term COLLATE "C" LIMIT ${where.param(limit + 1)}) page ON true
      ORDER BY page.count DESC, page.term COLLATE "C"`,
    where.params,
  );
  return {
    totalTerms: Number(rows[0]?.total ?? 0),
    found: rows.filter((row) => row.term !== null).map((row) => ({ term: row.term!, count: Number(row.count) })),
  };
}
