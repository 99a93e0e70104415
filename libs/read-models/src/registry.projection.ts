import type { EntityManager } from 'typeorm';
import { CLINIC_REGISTERED_V1, ClinicRegisteredV1, PIGMENT_REGISTERED_V1, PigmentRegisteredV1, TOPICS } from '@smp/contracts';
import type { ChangedMonths, TopicProjection } from './topic-projection.js';

/** Keeps the last registration of each id in a batch, in id order (one row per key for ON CONFLICT). */
function lastById<T>(events: readonly T[], id: (event: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const event of events) byId.set(id(event), event);
  return [...byId.keys()].sort().map((key) => byId.get(key)!);
}

/** Clinic names and countries for the read side, from `smp.clinics.v1`. */
export class ClinicsProjection implements TopicProjection<ClinicRegisteredV1> {
  readonly topic = TOPICS.clinics;
  readonly types = [CLINIC_REGISTERED_V1];
  readonly contract = ClinicRegisteredV1;

  toChange(_type: string, data: ClinicRegisteredV1): ClinicRegisteredV1 {
    return data;
  }

  /** A clinic's country decides which pigment figures a country filter counts: every month is read anew. */
  async apply(tx: EntityManager, events: readonly ClinicRegisteredV1[]): Promise<ChangedMonths> {
    const clinics = lastById(events, (clinic) => clinic.clinicId);
    if (clinics.length === 0) return [];
    await tx.query(
      `INSERT INTO clinics (clinic_id, name, country, region)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (clinic_id) DO UPDATE SET name = excluded.name, country = excluded.country, region = excluded.region`,
      [clinics.map((c) => c.clinicId), clinics.map((c) => c.name), clinics.map((c) => c.country), clinics.map((c) => c.region ?? null)],
    );
    return 'all';
  }
}

/** Pigment manufacturers, products and batches for the read side, from `smp.pigments.v1`. */
export class PigmentsProjection implements TopicProjection<PigmentRegisteredV1> {
  readonly topic = TOPICS.pigments;
  readonly types = [PIGMENT_REGISTERED_V1];
  readonly contract = PigmentRegisteredV1;

  toChange(_type: string, data: PigmentRegisteredV1): PigmentRegisteredV1 {
    return data;
  }

  async apply(tx: EntityManager, events: readonly PigmentRegisteredV1[]): Promise<ChangedMonths> {
    const pigments = lastById(events, (pigment) => pigment.pigmentId);
    if (pigments.length === 0) return [];
    await tx.query(
      `INSERT INTO pigments (pigment_id, manufacturer, product, shade, batch)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (pigment_id) DO UPDATE SET
         manufacturer = excluded.manufacturer, product = excluded.product, shade = excluded.shade, batch = excluded.batch`,
      [
        pigments.map((p) => p.pigmentId),
        pigments.map((p) => p.manufacturer),
        pigments.map((p) => p.product),
        pigments.map((p) => p.shade ?? null),
        pigments.map((p) => p.batch),
      ],
    );
    // Names only: no month's figures move (readers' registries are refreshed on every change).
    return [];
  }
}
