import type { DataSource } from 'typeorm';
import { answerValue } from '@smp/http';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../../../test/support/database.js';
import { unique } from '../../../../../test/support/environment.js';
import { listeningCache } from '../../../../../test/support/read-model-cache.js';
import { ReadModelCache } from '../../read-model/read-model-cache.js';
import { ListSeriousCasesHandler } from './list-serious-cases.handler.js';
import { ListSeriousCasesQuery, type CaseDeadline } from './list-serious-cases.query.js';
import { ListSeriousCasesRequestDto, type CaseStatus } from './list-serious-cases.request.dto.js';

const AS_OF = '2026-03-15';

interface StoredCase {
  caseId: string;
  serious: boolean;
  nullified: boolean;
  reportingDueBy: string | null;
}

/**
 * The serious-case list against an oracle written here: overdue cases first, then by due date (none last), then by
 * case id in code point order; each status filter as documented; every page of a cursor walk in that order, with the
 * same total. The cases mix nullified ones, cases without a deadline, deadlines before and after the day, and ids
 * whose order differs between code points and a natural-language collation.
 */
describe(`${ListSeriousCasesHandler.name} against the real Postgres`, () => {
  let db: DataSource;
  let cache: ReadModelCache;
  let sut: ListSeriousCasesHandler;
  const clinicId = unique('CLS');
  const stored: StoredCase[] = [];

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    // A fixed pseudo-random mix (a linear congruential sequence), so that a failure is the same on every run.
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 80; i++) {
      const day = Math.floor(next() * 60);
      stored.push({
        caseId: `SMP-${next() < 0.5 ? 'a' : 'B'}${clinicId}-${String(i).padStart(3, '0')}`,
        serious: next() < 0.85,
        nullified: next() < 0.2,
        // Some share a due date, so that the case id decides between them.
        reportingDueBy: next() < 0.15 ? null : new Date(Date.UTC(2026, 1, 1 + (day - (day % 3)))).toISOString().slice(0, 10),
      });
    }
    await db.query(
      `INSERT INTO projector.cases (case_id, case_version, clinic_id, pigment_id, procedure_date, serious, serious_reasons,
                                    reporting_due_by, outcome, nullified, categories)
       SELECT c."caseId", 1, $2, NULL, '2026-01-10', c.serious, '{}', c."reportingDueBy"::date, NULL, c.nullified, '{infection}'
         FROM json_to_recordset($1::json) AS c("caseId" text, serious boolean, nullified boolean, "reportingDueBy" text)`,
      [JSON.stringify(stored), clinicId],
    );
    cache = await listeningCache(db);
    sut = new ListSeriousCasesHandler(db, cache);
  });
  afterAll(async () => {
    await cache?.onApplicationShutdown();
    await db?.destroy();
  });

  const statusOf = (c: StoredCase): CaseStatus =>
    c.nullified ? 'nullified' : c.reportingDueBy !== null && c.reportingDueBy < AS_OF ? 'overdue' : 'due';

  /** The expected list: the filters, then overdue first, by due date (none last), by case id in code point order. */
  const expected = (status: CaseStatus | undefined, dueBefore: string | undefined): string[] => {
    const codePoints = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    return stored
      .filter((c) => c.serious && (status ? statusOf(c) === status : !c.nullified))
      .filter((c) => dueBefore === undefined || (c.reportingDueBy !== null && c.reportingDueBy < dueBefore))
      .sort(
        (x, y) =>
          Number(statusOf(x) !== 'overdue') - Number(statusOf(y) !== 'overdue') ||
          codePoints(x.reportingDueBy ?? '9999-12-31', y.reportingDueBy ?? '9999-12-31') ||
          codePoints(x.caseId, y.caseId),
      )
      .map((c) => c.caseId);
  };

  /** Every page, cursor after cursor: the rows in order, and every page's total. */
  const walk = async (status: CaseStatus | undefined, dueBefore: string | undefined, limit: number) => {
    const rows: CaseDeadline[] = [];
    const totals = new Set<number>();
    let cursor: string | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const filter = Object.assign(new ListSeriousCasesRequestDto(), { clinicId, status, dueBefore, limit, cursor });
      // A page asked for again comes as kept (gzipped JSON): read either way.
      const page = answerValue(await sut.execute(new ListSeriousCasesQuery(filter, null, AS_OF)));
      rows.push(...page.rows);
      totals.add(page.totalRows);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return { rows, totals: [...totals] };
  };

  for (const status of [undefined, 'overdue', 'due', 'nullified'] as const)
    for (const dueBefore of [undefined, '2026-03-20'])
      it(`lists status ${status ?? '(default)'}${dueBefore ? ` due before ${dueBefore}` : ''} in order, whole and page by page`, async () => {
        const want = expected(status, dueBefore);
        expect(want.length).toBeGreaterThan(1);
        for (const limit of [1, 7, 100]) {
          const { rows, totals } = await walk(status, dueBefore, limit);
          expect(rows.map((row) => row.caseId)).toEqual(want);
          expect(totals).toEqual([want.length]);
          for (const row of rows) expect(row.status).toBe(statusOf(stored.find((c) => c.caseId === row.caseId)!));
        }
      });
});
