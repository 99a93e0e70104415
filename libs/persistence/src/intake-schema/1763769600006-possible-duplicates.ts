import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Pairs of cases that look like the same complication reported twice, for an admin to review. */
export class PossibleDuplicates1763769600006 implements MigrationInterface {
  name = 'PossibleDuplicates1763769600006';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE intake.possible_duplicates (
        case_id           text NOT NULL REFERENCES intake.cases (case_id),
        candidate_case_id text NOT NULL REFERENCES intake.cases (case_id),
        score             real NOT NULL,
        reasons           text[] NOT NULL,
        flagged_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (case_id, candidate_case_id)
      )`);
    await db.query(`CREATE INDEX cases_clinic_received_idx ON intake.cases (clinic_id, received_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX intake.cases_clinic_received_idx`);
    await db.query(`DROP TABLE intake.possible_duplicates`);
  }
}
