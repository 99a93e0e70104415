import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per clinic and per pigment × category × procedure month, beside the
 * side-effect cube: the funnels, incidence, pigment rates, signals and public
 * views group by nothing finer, and reading a few hundred thousand rollup rows
 * is an order of magnitude cheaper than summing the cube. The projector writes
 * all three in one statement; they are filled here from the cube so that an
 * existing installation stays consistent.
 */
export class Rollups1763769600010 implements MigrationInterface {
  name = 'Rollups1763769600010';

  async up(db: QueryRunner): Promise<void> {
    for (const subject of ['clinic', 'pigment']) {
      await db.query(`
        CREATE TABLE projector.${subject}_category_month (
          ${subject}_id   text NOT NULL,
          category        text NOT NULL,
          procedure_month date NOT NULL,
          reports         integer NOT NULL DEFAULT 0,
          serious         integer NOT NULL DEFAULT 0,
          PRIMARY KEY (${subject}_id, category, procedure_month)
        )`);
      await db.query(`
        INSERT INTO projector.${subject}_category_month (${subject}_id, category, procedure_month, reports, serious)
        SELECT ${subject}_id, category, procedure_month, sum(reports), sum(serious)
          FROM projector.side_effect_counts ${subject === 'pigment' ? `WHERE pigment_id <> ''` : ''}
         GROUP BY 1, 2, 3`);
    }
    await db.query(`CREATE INDEX clinic_category_month_month_idx ON projector.clinic_category_month (procedure_month, category)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projector.clinic_category_month, projector.pigment_category_month`);
  }
}
