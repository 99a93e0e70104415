import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per pigment × category × procedure month counts (the numerators of pigment
 * rates and signals), and procedures per clinic × pigment × month (the
 * denominators), so the read side never touches the reports.
 */
export class PigmentsAndProcedures1763769600007 implements MigrationInterface {
  name = 'PigmentsAndProcedures1763769600007';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projector.side_effect_state ADD COLUMN pigment_id text`);
    await db.query(`
      CREATE TABLE projector.pigment_category_month (
        pigment_id      text NOT NULL,
        category        text NOT NULL,
        procedure_month date NOT NULL,
        reports         integer NOT NULL DEFAULT 0,
        serious         integer NOT NULL DEFAULT 0,
        PRIMARY KEY (pigment_id, category, procedure_month)
      )`);
    await db.query(`
      CREATE TABLE projector.procedures_month (
        clinic_id       text NOT NULL,
        pigment_id      text NOT NULL,
        procedure_month date NOT NULL,
        procedures      integer NOT NULL DEFAULT 0,
        PRIMARY KEY (clinic_id, pigment_id, procedure_month)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projector.procedures_month`);
    await db.query(`DROP TABLE projector.pigment_category_month`);
    await db.query(`ALTER TABLE projector.side_effect_state DROP COLUMN pigment_id`);
  }
}
