import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two indexes that every new case paid for and no query needs: a case's
 * versions are found by the primary key (case_id, version), which also serves
 * the request-hash lookup (a case has a handful of versions); duplicate
 * screening probes cases by (clinic_id, procedure_date), not by reception time.
 */
export class DropRedundantIndexes1763769600007 implements MigrationInterface {
  name = 'DropRedundantIndexes1763769600007';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX intake.case_versions_request_idx`);
    await db.query(`DROP INDEX intake.cases_clinic_received_idx`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX cases_clinic_received_idx ON intake.cases (clinic_id, received_at)`);
    await db.query(`CREATE INDEX case_versions_request_idx ON intake.case_versions (case_id, request_hash)`);
  }
}
