import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The windows of the read side (`from`/`to` procedure months) over every clinic or pigment: the funnels, the network
 * figures of incidence and the pigment rates sum a few months of all clinics or pigments. The primary keys lead with the
 * clinic or pigment, so without these a window reads the whole table, growing with the history rather than the window.
 */
export class MonthIndexes1763769600011 implements MigrationInterface {
  name = 'MonthIndexes1763769600011';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX procedures_month_month_idx ON projector.procedures_month (procedure_month)`);
    await db.query(`CREATE INDEX pigment_category_month_month_idx ON projector.pigment_category_month (procedure_month, category)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX projector.procedures_month_month_idx, projector.pigment_category_month_month_idx`);
  }
}
