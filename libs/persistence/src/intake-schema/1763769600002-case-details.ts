import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seriousness, the reporting deadline and the follow-up token (hashed) on the
 * case; personal data (contact, narrative, effect descriptions) in a table of
 * its own, per version, so that it is never read with the case facts.
 */
export class CaseDetails1763769600002 implements MigrationInterface {
  name = 'CaseDetails1763769600002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE intake.cases
        ADD COLUMN pigment_id text,
        ADD COLUMN serious_reasons text[] NOT NULL DEFAULT '{}',
        ADD COLUMN reporting_due_by date,
        ADD COLUMN follow_up_token_hash bytea`);
    await db.query(`
      CREATE TABLE intake.case_personal_data (
        case_id             text NOT NULL,
        version             integer NOT NULL,
        contact             jsonb,
        narrative           text,
        effect_descriptions jsonb,
        PRIMARY KEY (case_id, version),
        FOREIGN KEY (case_id, version) REFERENCES intake.case_versions (case_id, version)
      )`);
    await db.query(`ALTER TABLE intake.case_side_effects ADD COLUMN persistent boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE intake.case_side_effects DROP COLUMN persistent`);
    await db.query(`DROP TABLE intake.case_personal_data`);
    await db.query(
      `ALTER TABLE intake.cases DROP COLUMN pigment_id, DROP COLUMN serious_reasons, DROP COLUMN reporting_due_by, DROP COLUMN follow_up_token_hash`,
    );
  }
}
