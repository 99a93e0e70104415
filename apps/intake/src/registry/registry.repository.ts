import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface Clinic {
  clinicId: string;
  name: string;
  country: string;
  region: string | null;
}

export interface Pigment {
  pigmentId: string;
  manufacturer: string;
  product: string;
  shade: string | null;
  batch: string;
}

/** Clinics and pigments: the registries every report and procedure refers to. */
@Injectable()
export class RegistryRepository {
  constructor(private readonly db: DataSource) {}

  async addClinic(clinic: Omit<Clinic, 'clinicId'>): Promise<Clinic> {
    const [row] = await this.db.query(
      `INSERT INTO intake.clinics (clinic_id, name, country, region)
       VALUES ('CLN-' || lpad(nextval('intake.clinic_number_seq')::text, 5, '0'), $1, $2, $3)
       RETURNING clinic_id`,
      [clinic.name, clinic.country, clinic.region],
    );
    return { clinicId: row.clinic_id, ...clinic };
  }

  /** Returns null when the same manufacturer, product, shade and batch is already registered. */
  async addPigment(pigment: Omit<Pigment, 'pigmentId'>): Promise<Pigment | null> {
    const rows = await this.db.query(
      `INSERT INTO intake.pigments (pigment_id, manufacturer, product, shade, batch)
       VALUES ('PIG-' || lpad(nextval('intake.pigment_number_seq')::text, 5, '0'), $1, $2, $3, $4)
       ON CONFLICT (manufacturer, product, shade, batch) DO NOTHING
       RETURNING pigment_id`,
      [pigment.manufacturer, pigment.product, pigment.shade, pigment.batch],
    );
    return rows.length === 0 ? null : { pigmentId: rows[0].pigment_id, ...pigment };
  }

  /** Which of the given ids are not registered: `{ clinicId: false }` when the clinic is unknown. */
  async exists(ids: { clinicId?: string; pigmentId?: string }): Promise<{ clinicId: boolean; pigmentId: boolean }> {
    const [row] = await this.db.query(
      `SELECT ($1::text IS NULL OR EXISTS (SELECT 1 FROM intake.clinics WHERE clinic_id = $1)) AS clinic,
              ($2::text IS NULL OR EXISTS (SELECT 1 FROM intake.pigments WHERE pigment_id = $2)) AS pigment`,
      [ids.clinicId ?? null, ids.pigmentId ?? null],
    );
    return { clinicId: row.clinic, pigmentId: row.pigment };
  }

  /** The pigment ids among `ids` that are not registered. */
  async unknownPigments(ids: readonly string[]): Promise<Set<string>> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM unnest($1::text[]) AS given(id) WHERE NOT EXISTS (SELECT 1 FROM intake.pigments p WHERE p.pigment_id = given.id)`,
      [[...new Set(ids)]],
    );
    return new Set(rows.map((row) => row.id));
  }
}
