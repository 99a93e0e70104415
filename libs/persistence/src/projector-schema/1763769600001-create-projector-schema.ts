import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read models owned by the projector. `applied_events` is the inbox that makes
 * each event change the read models once; `side_effect_state` remembers what
 * the latest applied version of each (case, category) contributes, so that an
 * amendment can move the counts instead of adding to them.
 */
export class CreateProjectorSchema1763769600001 implements MigrationInterface {
  name = 'CreateProjectorSchema1763769600001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS projector`);
    await db.query(`
      CREATE TABLE projector.applied_events (
        event_id   uuid PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE projector.side_effect_state (
        case_id         text NOT NULL,
        category        text NOT NULL,
        case_version    integer NOT NULL,
        clinic_id       text NOT NULL,
        procedure_month date NOT NULL,
        serious         boolean NOT NULL,
        counted         boolean NOT NULL,
        PRIMARY KEY (case_id, category)
      )`);
    await db.query(`
      CREATE TABLE projector.clinic_category_month (
        clinic_id       text NOT NULL,
        category        text NOT NULL,
        procedure_month date NOT NULL,
        reports         integer NOT NULL DEFAULT 0,
        serious         integer NOT NULL DEFAULT 0,
        PRIMARY KEY (clinic_id, category, procedure_month)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA projector CASCADE`);
  }
}
