import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { CLINIC_REGISTERED_V1, PIGMENT_REGISTERED_V1, TOPICS, type ClinicRegisteredV1, type PigmentRegisteredV1 } from '@smp/contracts';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { OutboxWrittenEvent } from '../outbox/outbox-written.event.js';

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

/**
 * Clinics and pigments: the registries every report and procedure refers to.
 * Each registration is published (through the outbox, in the same transaction)
 * so that the read side knows names, countries and batches without reading here.
 */
@Injectable()
export class RegistryRepository {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly events: EventBus,
  ) {}

  async addClinic(clinic: Omit<Clinic, 'clinicId'>): Promise<Clinic> {
    const registered = await this.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO intake.clinics (clinic_id, name, country, region)
         VALUES ('CLN-' || lpad(nextval('intake.clinic_number_seq')::text, 5, '0'), $1, $2, $3)
         RETURNING clinic_id`,
        [clinic.name, clinic.country, clinic.region],
      );
      const data: ClinicRegisteredV1 = {
        clinicId: row.clinic_id,
        name: clinic.name,
        country: clinic.country,
        ...(clinic.region ? { region: clinic.region } : {}),
      };
      await this.outbox.append(tx, [
        { id: randomUUID(), topic: TOPICS.clinics, key: data.clinicId, type: CLINIC_REGISTERED_V1, subject: data.clinicId, data },
      ]);
      return { clinicId: data.clinicId, ...clinic };
    });
    this.events.publish(new OutboxWrittenEvent());
    return registered;
  }

  /** Returns null when the same manufacturer, product, shade and batch is already registered. */
  async addPigment(pigment: Omit<Pigment, 'pigmentId'>): Promise<Pigment | null> {
    const registered = await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `INSERT INTO intake.pigments (pigment_id, manufacturer, product, shade, batch)
         VALUES ('PIG-' || lpad(nextval('intake.pigment_number_seq')::text, 5, '0'), $1, $2, $3, $4)
         ON CONFLICT (manufacturer, product, shade, batch) DO NOTHING
         RETURNING pigment_id`,
        [pigment.manufacturer, pigment.product, pigment.shade, pigment.batch],
      );
      if (rows.length === 0) return null;
      const data: PigmentRegisteredV1 = {
        pigmentId: rows[0].pigment_id,
        manufacturer: pigment.manufacturer,
        product: pigment.product,
        ...(pigment.shade ? { shade: pigment.shade } : {}),
        batch: pigment.batch,
      };
      await this.outbox.append(tx, [
        { id: randomUUID(), topic: TOPICS.pigments, key: data.pigmentId, type: PIGMENT_REGISTERED_V1, subject: data.pigmentId, data },
      ]);
      return { pigmentId: data.pigmentId, ...pigment };
    });
    if (registered) this.events.publish(new OutboxWrittenEvent());
    return registered;
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
