import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every app keeps the API keys it verified in memory and forgets them all when it hears `smp_api_keys_changed`
 * (libs/auth, ApiKeyStore). A trigger announces every change to the keys table, however it is made: a revocation
 * through the API, and also one typed by hand in SQL in an emergency, which before this was refused only by the app
 * that had not cached the key. Postgres delivers the notification when the transaction commits, and delivers one per
 * transaction however many statements raise it.
 */
export class AnnounceApiKeyChanges1763769600012 implements MigrationInterface {
  name = 'AnnounceApiKeyChanges1763769600012';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION intake.announce_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('smp_api_keys_changed', '');
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE OR TRUNCATE ON intake.api_keys
        FOR EACH STATEMENT EXECUTE FUNCTION intake.announce_api_key_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER api_keys_changed ON intake.api_keys`);
    await db.query(`DROP FUNCTION intake.announce_api_key_change()`);
  }
}
