import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { READ_MODELS_CHANGED } from '@smp/read-models';
import { migratedDataSource } from '../../../../test/support/database.js';
import { monthWindow } from '../../../../test/support/arbitraries.js';
import { listeningCache } from '../../../../test/support/read-model-cache.js';
import { eventually, unique } from '../../../../test/support/environment.js';
import { ClinicMonths } from './clinic-months.js';
import { periodOf } from './period.js';
import { ReadModelCache } from './read-model-cache.js';

/**
 * ClinicMonths adds up arrays held a year at a time (whole years from their totals, the rest month by month);
 * Postgres summing the same tables over the same window is the oracle, for windows drawn at random across year
 * boundaries, open at either end or not.
 */
describe(`${ClinicMonths.name} against sums computed by Postgres`, () => {
  let db: DataSource;
  let cache: ReadModelCache;
  let sut: ClinicMonths;
  const clinics = Array.from({ length: 12 }, () => unique('CLM'));

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    // Sparse, irregular history over 2019-2027: some clinics without procedures, some months with reports only.
    await db.query(
      `INSERT INTO projector.procedures_month (clinic_id, pigment_id, procedure_month, procedures)
       SELECT c, 'PG-' || k, make_date((2019 + (i * 7 + k) % 9)::int, (1 + (i * 5 + k * 3) % 12)::int, 1), 1 + (i * 13 + k * 7) % 90
         FROM unnest($1::text[]) WITH ORDINALITY AS t(c, i), generate_series(0, 40) k
        WHERE i % 6 <> 0
       ON CONFLICT DO NOTHING`,
      [clinics],
    );
    await db.query(
      `INSERT INTO projector.clinic_category_month (clinic_id, category, procedure_month, reports, serious)
       SELECT c, ($2::text[])[1 + (i + k) % cardinality($2::text[])], make_date((2019 + (i * 3 + k * 5) % 9)::int, (1 + (i + k * 7) % 12)::int, 1),
              (i * k) % 6, (i * k) % 6 / 4
         FROM unnest($1::text[]) WITH ORDINALITY AS t(c, i), generate_series(0, 60) k
       ON CONFLICT DO NOTHING`,
      [clinics, SIDE_EFFECT_CATEGORIES],
    );
    cache = await listeningCache(db);
    sut = new ClinicMonths(db, cache);
  });
  afterAll(async () => {
    await cache?.onApplicationShutdown();
    await db?.destroy();
  });

  const sql = async (from: string | undefined, to: string | undefined) => {
    const period = periodOf(from, to);
    const where = `($1::date IS NULL OR procedure_month >= $1::date) AND ($2::date IS NULL OR procedure_month <= $2::date)`;
    const procedures: Array<{ clinic_id: string; procedures: number }> = await db.query(
      `SELECT clinic_id, sum(procedures)::int AS procedures FROM projector.procedures_month WHERE ${where} GROUP BY clinic_id`,
      [period.from, period.to],
    );
    const reports: Array<{ clinic_id: string; category: string; reports: number; serious: number }> = await db.query(
      `SELECT clinic_id, category, sum(reports)::int AS reports, sum(serious)::int AS serious FROM projector.clinic_category_month
        WHERE ${where} GROUP BY clinic_id, category`,
      [period.from, period.to],
    );
    return { period, procedures, reports };
  };

  it('sums every clinic and the network over any window as Postgres does', async () => {
    await fc.assert(
      fc.asyncProperty(monthWindow, async ([from, to]) => {
        const { period, procedures, reports } = await sql(from, to);
        const answer = await sut.window(period);
        for (const clinicId of clinics) {
          const tally = answer.tally(clinicId);
          const own = reports.filter((row) => row.clinic_id === clinicId);
          const procedureRow = procedures.find((row) => row.clinic_id === clinicId);
          expect(tally?.procedures ?? 0).toBe(procedureRow?.procedures ?? 0);
          expect(tally?.present() ?? false).toBe(procedureRow !== undefined || own.length > 0);
          for (const category of SIDE_EFFECT_CATEGORIES) {
            const row = own.find((candidate) => candidate.category === category);
            expect([category, tally?.reports(category) ?? 0, tally?.serious(category) ?? 0]).toEqual([
              category,
              row?.reports ?? 0,
              row?.serious ?? 0,
            ]);
            expect(tally?.hasReports(category) ?? false).toBe(row !== undefined);
          }
        }
        const networkProcedures = procedures.reduce((sum, row) => sum + row.procedures, 0);
        expect(answer.total.procedures).toBe(networkProcedures);
        for (const category of SIDE_EFFECT_CATEGORIES) {
          const total = reports.filter((row) => row.category === category).reduce((sum, row) => sum + row.reports, 0);
          expect(answer.total.reports(category)).toBe(total);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("gives one clinic's months, and the network's, as Postgres does", async () => {
    const clinicId = clinics[7]!;
    const monthly: Array<{ month: string; procedures: number; reports: number; network_procedures: number; network_reports: number }> =
      await db.query(
        `WITH months AS (SELECT procedure_month FROM projector.procedures_month UNION SELECT procedure_month FROM projector.clinic_category_month)
         SELECT to_char(m.procedure_month, 'YYYY-MM') AS month,
                (SELECT coalesce(sum(procedures), 0)::int FROM projector.procedures_month p WHERE p.procedure_month = m.procedure_month AND clinic_id = $1) AS procedures,
                (SELECT coalesce(sum(reports), 0)::int FROM projector.clinic_category_month r WHERE r.procedure_month = m.procedure_month AND clinic_id = $1) AS reports,
                (SELECT coalesce(sum(procedures), 0)::int FROM projector.procedures_month p WHERE p.procedure_month = m.procedure_month) AS network_procedures,
                (SELECT coalesce(sum(reports), 0)::int FROM projector.clinic_category_month r WHERE r.procedure_month = m.procedure_month) AS network_reports
           FROM months m WHERE m.procedure_month BETWEEN '2020-11-01' AND '2024-02-01' ORDER BY 1`,
        [clinicId],
      );
    const months = await sut.months(clinicId, periodOf('2020-11', '2024-02'));
    const sumReports = (tally: { reports(category: (typeof SIDE_EFFECT_CATEGORIES)[number]): number } | null) =>
      SIDE_EFFECT_CATEGORIES.reduce((sum, category) => sum + (tally?.reports(category) ?? 0), 0);
    const held = months.filter(({ total }) => total.present());
    expect(
      held.map(({ month, tally: clinic, total: network }) => ({
        month,
        procedures: clinic?.procedures ?? 0,
        reports: sumReports(clinic),
        network_procedures: network.procedures,
        network_reports: sumReports(network),
      })),
    ).toEqual(monthly);
    expect(monthly.filter((row) => row.procedures > 0).length).toBeGreaterThan(3);
  });

  it('keeps a window of many years until the read models change, then sums the years again', async () => {
    const allTime = periodOf(undefined, undefined);
    const clinicId = clinics[3]!;
    const before = (await sut.window(allTime)).tally(clinicId)?.procedures ?? 0;
    await db.query(
      `INSERT INTO projector.procedures_month (clinic_id, pigment_id, procedure_month, procedures) VALUES ($1, 'PG-kept', '2023-05-01', 5)`,
      [clinicId],
    );
    // No change announced yet: the kept window (and the kept year) answer.
    expect((await sut.window(allTime)).tally(clinicId)?.procedures ?? 0).toBe(before);
    await db.query('SELECT pg_notify($1, $2)', [READ_MODELS_CHANGED, 'months=2023-05']);
    await eventually(
      async () => (((await sut.window(allTime)).tally(clinicId)?.procedures ?? 0) === before + 5 ? true : undefined),
      10_000,
      'the all-time window with the new procedures',
    );
  });
});
