import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake's source of truth: cases (one stable id for life), every version
 * of each case, the side effects per version, and the transactional outbox.
 * Personal data (contact, narrative) lives only in `case_versions.report`.
 */
export class CreateIntakeSchema1763769600000 implements MigrationInterface {
  name = 'CreateIntakeSchema1763769600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS intake`);
    await db.query(`CREATE SEQUENCE intake.case_number_seq`);
    await db.query(`
      CREATE TABLE intake.cases (
        case_id        text PRIMARY KEY,
        version        integer NOT NULL CHECK (version >= 1),
        clinic_id      text NOT NULL,
        procedure_date date NOT NULL,
        serious        boolean NOT NULL,
        received_at    timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX cases_clinic_idx ON intake.cases (clinic_id, procedure_date)`);
    await db.query(`
      CREATE TABLE intake.case_versions (
        case_id     text NOT NULL REFERENCES intake.cases (case_id),
        version     integer NOT NULL,
        report      jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (case_id, version)
      )`);
    await db.query(`
      CREATE TABLE intake.case_side_effects (
        case_id    text NOT NULL,
        version    integer NOT NULL,
        category   text NOT NULL,
        severity   text NOT NULL,
        onset_date date NOT NULL,
        PRIMARY KEY (case_id, version, category),
        FOREIGN KEY (case_id, version) REFERENCES intake.case_versions (case_id, version)
      )`);
    await db.query(`
      CREATE TABLE intake.outbox (
        id          bigserial PRIMARY KEY,
        event_id    uuid NOT NULL UNIQUE,
        topic       text NOT NULL,
        message_key text NOT NULL,
        event_type  text NOT NULL,
        subject     text NOT NULL,
        occurred_at timestamptz NOT NULL,
        data        jsonb NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA intake CASCADE`);
  }
}
