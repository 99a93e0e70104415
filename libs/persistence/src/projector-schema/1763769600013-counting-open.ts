import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a side effect's state came from an event that did not say whether it counts its case across categories (an
 * intake from before report counts, still running in a rolling upgrade, or replayed by a rebuild). The projection
 * counts such states' cases from the states themselves (recountCases); it must leave alone the flags a newer intake
 * gave, which a version half applied would otherwise have it recount from half the version's side effects. Every
 * state stored so far was counted by the intake or by migration 1763769600012: false.
 */
export class CountingOpen1763769600013 implements MigrationInterface {
  name = 'CountingOpen1763769600013';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projector.side_effect_state ADD COLUMN counting_open boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE projector.side_effect_state DROP COLUMN counting_open`);
  }
}
