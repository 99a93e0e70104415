import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Procedures a clinic performed (the denominators), each with the reference
 * the clinic hands its client; and idempotency keys, kept for a day, so that a
 * retried report returns the first answer instead of a second case.
 */
export class ProceduresAndIdempotency1763769600005 implements MigrationInterface {
  name = 'ProceduresAndIdempotency1763769600005';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE intake.procedures (
        procedure_ref  text PRIMARY KEY,
        clinic_id      text NOT NULL REFERENCES intake.clinics (clinic_id),
        pigment_id     text NOT NULL REFERENCES intake.pigments (pigment_id),
        procedure_date date NOT NULL,
        session_number integer CHECK (session_number BETWEEN 1 AND 20),
        count          integer NOT NULL CHECK (count BETWEEN 1 AND 10000),
        recorded_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX procedures_clinic_idx ON intake.procedures (clinic_id, procedure_date)`);
    await db.query(`
      CREATE TABLE intake.idempotency_keys (
        scope        text NOT NULL,
        key          text NOT NULL,
        request_hash bytea NOT NULL,
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_age_idx ON intake.idempotency_keys (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE intake.idempotency_keys`);
    await db.query(`DROP TABLE intake.procedures`);
  }
}
