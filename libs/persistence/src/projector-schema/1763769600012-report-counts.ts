import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports, not only complications, in the side-effect cube. A report naming two complications is one row of each
 * category there, so adding a cube's `reports` across categories counted it twice (per clinic, month, pigment,
 * outcome…). Each side effect's state now says whether it counts its case across categories (the first of its version
 * in category code order) and once for its severity; the cube adds those up as `cases` and `severity_cases`, with their
 * serious ones. Filled here from the stored states, by the rule the intake's events carry, so that an existing
 * installation is exact without a rebuild.
 *
 * `report_term_month` rolls those up per term and month for the term counts across categories (clinic, pigment,
 * outcome, severity, and the month itself under subject 'month', term ''): a year of it is read by index, where the
 * same sums over the cube took a scan of the year's cells (270 ms a year at 10× the bench's history).
 */
export class ReportCounts1763769600012 implements MigrationInterface {
  name = 'ReportCounts1763769600012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE projector.side_effect_state
        ADD COLUMN counts_case boolean NOT NULL DEFAULT false,
        ADD COLUMN counts_case_for_severity boolean NOT NULL DEFAULT false`);
    await db.query(`
      ALTER TABLE projector.side_effect_counts
        ADD COLUMN cases integer NOT NULL DEFAULT 0,
        ADD COLUMN serious_cases integer NOT NULL DEFAULT 0,
        ADD COLUMN severity_cases integer NOT NULL DEFAULT 0,
        ADD COLUMN severity_serious_cases integer NOT NULL DEFAULT 0`);
    await db.query(`
      UPDATE projector.side_effect_state s
         SET counts_case = f.first_of_case, counts_case_for_severity = f.first_of_severity
        FROM (SELECT case_id, category,
                     row_number() OVER (PARTITION BY case_id ORDER BY category COLLATE "C") = 1 AS first_of_case,
                     row_number() OVER (PARTITION BY case_id, severity ORDER BY category COLLATE "C") = 1 AS first_of_severity
                FROM projector.side_effect_state WHERE counted) f
       WHERE s.case_id = f.case_id AND s.category = f.category`);
    await db.query(`
      UPDATE projector.side_effect_counts t
         SET cases = f.cases, serious_cases = f.serious_cases, severity_cases = f.severity_cases,
             severity_serious_cases = f.severity_serious_cases
        FROM (SELECT clinic_id, coalesce(pigment_id, '') AS pigment_id, category, procedure_month, severity,
                     coalesce(outcome, '') AS outcome,
                     count(*) FILTER (WHERE counts_case) AS cases, count(*) FILTER (WHERE counts_case AND serious) AS serious_cases,
                     count(*) FILTER (WHERE counts_case_for_severity) AS severity_cases,
                     count(*) FILTER (WHERE counts_case_for_severity AND serious) AS severity_serious_cases
                FROM projector.side_effect_state WHERE counted GROUP BY 1, 2, 3, 4, 5, 6) f
       WHERE (t.clinic_id, t.pigment_id, t.category, t.procedure_month, t.severity, t.outcome)
           = (f.clinic_id, f.pigment_id, f.category, f.procedure_month, f.severity, f.outcome)`);
    await db.query(`
      CREATE TABLE projector.report_term_month (
        subject         text NOT NULL,  -- clinic, pigment, outcome, severity or month
        term            text NOT NULL,  -- '' for the month subject, a report naming no pigment, an unknown outcome
        procedure_month date NOT NULL,
        reports         integer NOT NULL DEFAULT 0,
        serious         integer NOT NULL DEFAULT 0,
        PRIMARY KEY (subject, term, procedure_month)
      )`);
    await db.query(`CREATE INDEX report_term_month_month_idx ON projector.report_term_month (procedure_month)`);
    await db.query(`
      INSERT INTO projector.report_term_month (subject, term, procedure_month, reports, serious)
      SELECT v.subject, v.term, t.procedure_month, sum(v.reports), sum(v.serious)
        FROM projector.side_effect_counts t
       CROSS JOIN LATERAL (VALUES ('clinic', t.clinic_id, t.cases, t.serious_cases), ('pigment', t.pigment_id, t.cases, t.serious_cases),
                                  ('outcome', t.outcome, t.cases, t.serious_cases), ('month', '', t.cases, t.serious_cases),
                                  ('severity', t.severity, t.severity_cases, t.severity_serious_cases)) AS v(subject, term, reports, serious)
       GROUP BY 1, 2, 3 HAVING sum(v.reports) <> 0 OR sum(v.serious) <> 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projector.report_term_month`);
    await db.query(`
      ALTER TABLE projector.side_effect_counts
        DROP COLUMN cases, DROP COLUMN serious_cases, DROP COLUMN severity_cases, DROP COLUMN severity_serious_cases`);
    await db.query(`ALTER TABLE projector.side_effect_state DROP COLUMN counts_case, DROP COLUMN counts_case_for_severity`);
  }
}
