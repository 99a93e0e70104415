import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The clinic and pigment registries, and API keys (stored only as SHA-256 hashes). */
export class RegistriesAndKeys1763769600003 implements MigrationInterface {
  name = 'RegistriesAndKeys1763769600003';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE intake.clinic_number_seq`);
    await db.query(`CREATE SEQUENCE intake.pigment_number_seq`);
    await db.query(`
      CREATE TABLE intake.clinics (
        clinic_id  text PRIMARY KEY,
        name       text NOT NULL,
        country    char(2) NOT NULL,
        region     text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE intake.pigments (
        pigment_id   text PRIMARY KEY,
        manufacturer text NOT NULL,
        product      text NOT NULL,
        shade        text,
        batch        text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (manufacturer, product, shade, batch)
      )`);
    await db.query(`
      CREATE TABLE intake.api_keys (
        key_id     uuid PRIMARY KEY,
        key_hash   bytea NOT NULL UNIQUE,
        role       text NOT NULL CHECK (role IN ('admin', 'regulator', 'clinic')),
        clinic_id  text REFERENCES intake.clinics (clinic_id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK ((role = 'clinic') = (clinic_id IS NOT NULL))
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE intake.api_keys`);
    await db.query(`DROP TABLE intake.pigments`);
    await db.query(`DROP TABLE intake.clinics`);
    await db.query(`DROP SEQUENCE intake.pigment_number_seq`);
    await db.query(`DROP SEQUENCE intake.clinic_number_seq`);
  }
}
