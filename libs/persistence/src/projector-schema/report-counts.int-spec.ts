import pg from 'pg';
import { DataSource } from 'typeorm';
import { testEnvironment } from '../../../../test/support/environment.js';
import { dataSourceOptions } from '../data-source-options.js';
import { PROJECTOR_SCHEMA } from './index.js';
import { ReportCounts1763769600012 } from './1763769600012-report-counts.js';

/**
 * An installation that counted before ReportCounts: its states and cube as the projector left them, then the
 * migration. Each case must end up counted once across categories (by its first category in code order) and once per
 * severity, nullified ones nowhere, without a rebuild.
 */
describe(`${ReportCounts1763769600012.name} on an existing installation`, () => {
  const url = new URL(testEnvironment().databaseUrl);
  const name = `${url.pathname.slice(1)}_report_counts`;
  const before = { ...PROJECTOR_SCHEMA, migrations: PROJECTOR_SCHEMA.migrations.filter((m) => m !== ReportCounts1763769600012) };
  let admin: pg.Client;
  let db: DataSource | undefined;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  afterAll(async () => {
    await db?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('counts each stored case once across categories and once per severity, as the intake now marks them, and per term', async () => {
    const at = new URL(url);
    at.pathname = `/${name}`;
    const old = new DataSource(dataSourceOptions(at.toString(), before, { poolSize: 1 }));
    await old.initialize();
    // [case, category, severity, serious, counted]: case A names three complications (two mild), B one, C was nullified.
    const effects: Array<[string, string, string, boolean, boolean]> = [
      ['A', 'scarring', 'moderate', true, true],
      ['A', 'infection', 'mild', true, true],
      ['A', 'allergic_reaction', 'mild', true, true],
      ['B', 'infection', 'severe', false, true],
      ['C', 'infection', 'mild', false, false],
      ['C', 'discoloration', 'mild', false, false],
    ];
    await old.query(
      `INSERT INTO projector.side_effect_state (case_id, category, case_version, clinic_id, pigment_id, procedure_month, severity, outcome,
                                                serious, counted)
       SELECT e->>0, e->>1, 1, 'K1', 'P1', DATE '2026-03-01', e->>2, NULL, (e->>3)::boolean, (e->>4)::boolean
         FROM json_array_elements($1::json) e`,
      [JSON.stringify(effects)],
    );
    await old.query(
      `INSERT INTO projector.side_effect_counts (clinic_id, pigment_id, category, procedure_month, severity, outcome, reports, serious)
       SELECT clinic_id, pigment_id, category, procedure_month, severity, '', count(*), count(*) FILTER (WHERE serious)
         FROM projector.side_effect_state WHERE counted GROUP BY 1, 2, 3, 4, 5`,
    );
    await old.destroy();

    db = new DataSource(dataSourceOptions(at.toString(), PROJECTOR_SCHEMA, { poolSize: 1 }));
    await db.initialize();

    const states = await db.query(
      `SELECT case_id || ' ' || category AS effect, counts_case, counts_case_for_severity FROM projector.side_effect_state ORDER BY 1`,
    );
    expect(states).toEqual([
      { effect: 'A allergic_reaction', counts_case: true, counts_case_for_severity: true },
      { effect: 'A infection', counts_case: false, counts_case_for_severity: false },
      { effect: 'A scarring', counts_case: false, counts_case_for_severity: true },
      { effect: 'B infection', counts_case: true, counts_case_for_severity: true },
      { effect: 'C discoloration', counts_case: false, counts_case_for_severity: false },
      { effect: 'C infection', counts_case: false, counts_case_for_severity: false },
    ]);
    const [totals] = await db.query(
      `SELECT sum(reports)::int AS complications, sum(cases)::int AS reports, sum(serious_cases)::int AS serious_reports,
              sum(severity_cases) FILTER (WHERE severity = 'mild')::int AS mild, sum(severity_cases) FILTER (WHERE severity = 'moderate')::int AS moderate,
              sum(severity_serious_cases) FILTER (WHERE severity = 'moderate')::int AS moderate_serious
         FROM projector.side_effect_counts`,
    );
    expect(totals).toEqual({ complications: 4, reports: 2, serious_reports: 1, mild: 1, moderate: 1, moderate_serious: 1 });
    const terms = await db.query(
      `SELECT subject || ' ' || term AS term, reports, serious FROM projector.report_term_month ORDER BY subject, term`,
    );
    expect(terms).toEqual([
      { term: 'clinic K1', reports: 2, serious: 1 },
      { term: 'month ', reports: 2, serious: 1 },
      { term: 'outcome ', reports: 2, serious: 1 },
      { term: 'pigment P1', reports: 2, serious: 1 },
      { term: 'severity mild', reports: 1, serious: 1 },
      { term: 'severity moderate', reports: 1, serious: 1 },
      { term: 'severity severe', reports: 1, serious: 0 },
    ]);
  });
});
