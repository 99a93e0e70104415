import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { OUTCOMES, SEVERITIES, SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { reportTermsOf } from '@smp/read-models';
import { migratedDataSource } from '../../../../../test/support/database.js';
import { monthWindow } from '../../../../../test/support/arbitraries.js';
import { listeningCache } from '../../../../../test/support/read-model-cache.js';
import { unique } from '../../../../../test/support/environment.js';
import { ClinicMonths } from '../../read-model/clinic-months.js';
import { periodOf } from '../../read-model/period.js';
import { PigmentMonths } from '../../read-model/pigment-months.js';
import { ReadModelCache } from '../../read-model/read-model-cache.js';
import { countTermsBySql, termPageOf, type TermPage } from './count-terms.handler.js';
import type { TermCount } from './count-terms.query.js';
import { COUNT_FIELDS, CountTermsRequestDto } from './count-terms.request.dto.js';
import { TermTallies } from './term-tallies.js';

/**
 * Term counts narrowed by period, category and seriousness come from the tallies held in memory; Postgres summing
 * the side-effect cube is the oracle (reports naming a category with one, each report once across categories
 * without), for every field, random windows across year boundaries, and pages followed
 * by their cursors. (The integration database is shared with other suites: both sides read all of it, and the
 * clinic field, which the tallies read from the per-clinic rollup, is compared on this suite's clinics.)
 */
describe(`${TermTallies.name} against the term counts of Postgres`, () => {
  let db: DataSource;
  let cache: ReadModelCache;
  let sut: TermTallies;
  const prefix = unique('CT');
  const clinics = Array.from({ length: 9 }, (_, i) => `${prefix}-C${i}`);
  const pigments = Array.from({ length: 7 }, (_, i) => `${prefix}-P${i}`);

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    // Two clinics unregistered (no country), two pigments unregistered (no manufacturer), and reports naming no pigment.
    await db.query(
      `INSERT INTO projector.clinics (clinic_id, name, country)
       SELECT c, 'Clinic ' || c, (ARRAY['DE', 'FR', 'GB'])[1 + i % 3] FROM unnest($1::text[]) WITH ORDINALITY AS t(c, i) WHERE i > 2`,
      [clinics],
    );
    await db.query(
      `INSERT INTO projector.pigments (pigment_id, manufacturer, product, batch)
       SELECT g, $2 || ' maker ' || (i % 3), $2 || ' ink ' || (i % 2), $2 || ' batch ' || i
         FROM unnest($1::text[]) WITH ORDINALITY AS t(g, i) WHERE i > 2`,
      [pigments, prefix],
    );
    await db.query(
      `INSERT INTO projector.side_effect_counts (clinic_id, pigment_id, category, procedure_month, severity, outcome, reports, serious,
                                                 cases, serious_cases, severity_cases, severity_serious_cases)
       SELECT ($1::text[])[1 + (k * 7) % cardinality($1::text[])],
              CASE WHEN k % 11 = 0 THEN '' ELSE ($2::text[])[1 + (k * 5) % cardinality($2::text[])] END,
              ($3::text[])[1 + (k * 3) % cardinality($3::text[])],
              make_date((2019 + (k * 13) % 9)::int, (1 + (k * 17) % 12)::int, 1),
              ($4::text[])[1 + k % cardinality($4::text[])],
              CASE WHEN k % 5 = 0 THEN '' ELSE ($5::text[])[1 + (k * 3) % cardinality($5::text[])] END,
              (k * 3 + k / 5) % 5, ((k * 3 + k / 5) % 5) / 3,
              -- Reports counted once across categories in about half the cells, once per severity in two thirds.
              CASE WHEN k % 2 = 0 THEN (k * 3 + k / 5) % 5 ELSE 0 END, CASE WHEN k % 2 = 0 THEN ((k * 3 + k / 5) % 5) / 3 ELSE 0 END,
              CASE WHEN k % 3 <> 0 THEN (k * 3 + k / 5) % 5 ELSE 0 END, CASE WHEN k % 3 <> 0 THEN ((k * 3 + k / 5) % 5) / 3 ELSE 0 END
         FROM generate_series(0, 900) k
       ON CONFLICT DO NOTHING`,
      [clinics, pigments, SIDE_EFFECT_CATEGORIES, SEVERITIES, OUTCOMES.filter((outcome) => outcome !== 'unknown')],
    );
    // The per-clinic rollup, as the projector keeps it beside the cube.
    await db.query(
      `INSERT INTO projector.clinic_category_month (clinic_id, category, procedure_month, reports, serious)
       SELECT clinic_id, category, procedure_month, sum(reports), sum(serious) FROM projector.side_effect_counts
        WHERE clinic_id LIKE $1 || '-%' GROUP BY 1, 2, 3`,
      [prefix],
    );
    // The per-term rollup, likewise (added to what other suites' projector runs wrote for the same months).
    await db.query(
      `INSERT INTO projector.report_term_month AS r (subject, term, procedure_month, reports, serious)
       ${reportTermsOf(`(SELECT * FROM projector.side_effect_counts WHERE clinic_id LIKE $1 || '-%')`)}
       ON CONFLICT (subject, term, procedure_month) DO UPDATE SET reports = r.reports + excluded.reports, serious = r.serious + excluded.serious`,
      [prefix],
    );
    cache = await listeningCache(db);
    sut = new TermTallies(db, cache, new ClinicMonths(db, cache), new PigmentMonths(db, cache));
  });
  afterAll(async () => {
    await cache?.onApplicationShutdown();
    await db?.destroy();
  });

  const query = fc.record({
    field: fc.constantFrom(...COUNT_FIELDS),
    window: monthWindow,
    category: fc.option(fc.constantFrom(...SIDE_EFFECT_CATEGORIES), { nil: undefined }),
    serious: fc.option(fc.boolean(), { nil: undefined }),
    limit: fc.integer({ min: 1, max: 6 }),
  });

  const ours = (field: string) => (row: TermCount) => field !== 'clinic' || row.term.startsWith(prefix);

  it('counts every field over any window, category and seriousness as Postgres does, page by page', async () => {
    await fc.assert(
      fc.asyncProperty(query, async ({ field, window: [from, to], category, serious, limit }) => {
        const filter = Object.assign(new CountTermsRequestDto(), { field, from, to, category, serious });
        const counts = await sut.counts(field, periodOf(from, to), { category, serious });
        const everything = 1_000_000;
        const held = termPageOf(counts, null, everything);
        const sql = await countTermsBySql(db, filter, null, null, everything);
        expect(held.found.filter(ours(field))).toEqual(sql.found.filter(ours(field)));
        if (field !== 'clinic') expect(held.totalTerms).toBe(sql.totalTerms);
        // Pages of `limit` by the cursor, as both would serve them.
        let after: TermCount | null = null;
        for (let pages = 0; pages < 3; pages++) {
          const heldPage: TermPage = termPageOf(counts, after, limit);
          const sqlPage = await countTermsBySql(db, filter, null, after, limit);
          if (field !== 'clinic') expect(heldPage.found).toEqual(sqlPage.found);
          if (heldPage.found.length <= limit) break;
          after = heldPage.found[limit - 1]!;
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each(COUNT_FIELDS)('counts %s over all time, each report once across categories, as Postgres does', async (field) => {
    for (const serious of [undefined, true, false]) {
      const filter = Object.assign(new CountTermsRequestDto(), { field, serious });
      const held = termPageOf(await sut.counts(field, periodOf(undefined, undefined), { serious }), null, 1_000_000);
      const sql = await countTermsBySql(db, filter, null, null, 1_000_000);
      expect(held.found.filter(ours(field))).toEqual(sql.found.filter(ours(field)));
    }
  });

  it('finds this suite\'s terms: manufacturers of registered pigments only, clinics with reports, outcomes with "unknown"', async () => {
    const manufacturers = termPageOf(await sut.counts('manufacturer', periodOf(undefined, undefined), {}), null, 1_000_000).found;
    expect(
      manufacturers
        .filter((row) => row.term.startsWith(prefix))
        .map((row) => row.term)
        .sort(),
    ).toEqual([`${prefix} maker 0`, `${prefix} maker 1`, `${prefix} maker 2`]);
    const clinicTerms = termPageOf(await sut.counts('clinic', periodOf(undefined, undefined), {}), null, 1_000_000).found;
    expect(clinicTerms.filter(ours('clinic')).length).toBe(clinics.length);
    const outcomes = termPageOf(await sut.counts('outcome', periodOf(undefined, undefined), {}), null, 1_000_000).found;
    expect(outcomes.map((row) => row.term)).toContain('unknown');
  });
});
