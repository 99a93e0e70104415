import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-ups and nullification: each version records what made it (submission,
 * follow-up, nullification) and a hash of the request, so that resubmitting
 * the same follow-up changes nothing.
 */
export class CaseLifecycle1763769600004 implements MigrationInterface {
  name = 'CaseLifecycle1763769600004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE intake.cases ADD COLUMN nullified_at timestamptz, ADD COLUMN nullification_reason text`);
    await db.query(`
      ALTER TABLE intake.case_versions
        ADD COLUMN kind text NOT NULL DEFAULT 'submission' CHECK (kind IN ('submission', 'follow_up', 'nullification')),
        ADD COLUMN request_hash bytea,
        ADD COLUMN serious boolean,
        ADD COLUMN serious_reasons text[],
        ADD COLUMN reporting_due_by date`);
    await db.query(`CREATE INDEX case_versions_request_idx ON intake.case_versions (case_id, request_hash)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX intake.case_versions_request_idx`);
    await db.query(
      `ALTER TABLE intake.case_versions DROP COLUMN kind, DROP COLUMN request_hash, DROP COLUMN serious, DROP COLUMN serious_reasons, DROP COLUMN reporting_due_by`,
    );
    await db.query(`ALTER TABLE intake.cases DROP COLUMN nullified_at, DROP COLUMN nullification_reason`);
  }
}
