import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_RECORDED_V1, TOPICS, type SideEffectRecordedV1 } from '@smp/contracts';
import { formatCaseId, type SeriousReason, type Severity, type SideEffectCategory } from '@smp/domain';

/** The facts of a case version: what statistics and events may use. No personal data. */
export interface CaseFacts {
  clinicId: string;
  pigmentId?: string;
  procedureDate: string;
  effects: ReadonlyArray<{ category: SideEffectCategory; severity: Severity; onsetDate: string; persistent?: boolean }>;
  [detail: string]: unknown;
}

/** Personal data of a case version: stored apart, never published, never logged. */
export interface CasePersonalData {
  contact: { email?: string; phone?: string } | null;
  narrative: string | null;
  effectDescriptions: Array<string | null>;
}

export interface NewCase {
  facts: CaseFacts;
  personal: CasePersonalData;
  serious: boolean;
  seriousReasons: SeriousReason[];
  reportingDueBy: string | null;
  followUpTokenHash: Buffer;
}

/**
 * The write side's source of truth. A case, its first version, its personal
 * data and one outbox row per side effect are written in one transaction:
 * either the client gets a case id and the events will follow, or nothing was
 * stored.
 */
@Injectable()
export class CaseRepository {
  constructor(private readonly db: DataSource) {}

  async openCase(input: NewCase): Promise<{ caseId: string; version: number }> {
    const { facts } = input;
    return this.db.transaction(async (tx) => {
      const [{ sequence, year }] = await tx.query(
        `SELECT nextval('intake.case_number_seq')::int AS sequence, extract(year FROM now())::int AS year`,
      );
      const caseId = formatCaseId(year, sequence);
      const version = 1;
      await tx.query(
        `INSERT INTO intake.cases
           (case_id, version, clinic_id, pigment_id, procedure_date, serious, serious_reasons, reporting_due_by, follow_up_token_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          caseId,
          version,
          facts.clinicId,
          facts.pigmentId ?? null,
          facts.procedureDate,
          input.serious,
          input.seriousReasons,
          input.reportingDueBy,
          input.followUpTokenHash,
        ],
      );
      await tx.query(`INSERT INTO intake.case_versions (case_id, version, report) VALUES ($1, $2, $3)`, [
        caseId,
        version,
        JSON.stringify(facts),
      ]);
      await tx.query(
        `INSERT INTO intake.case_personal_data (case_id, version, contact, narrative, effect_descriptions) VALUES ($1, $2, $3, $4, $5)`,
        [
          caseId,
          version,
          input.personal.contact ? JSON.stringify(input.personal.contact) : null,
          input.personal.narrative,
          JSON.stringify(input.personal.effectDescriptions),
        ],
      );
      await tx.query(
        `INSERT INTO intake.case_side_effects (case_id, version, category, severity, onset_date, persistent)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::date[], $6::bool[])`,
        [
          caseId,
          version,
          facts.effects.map((effect) => effect.category),
          facts.effects.map((effect) => effect.severity),
          facts.effects.map((effect) => effect.onsetDate),
          facts.effects.map((effect) => effect.persistent ?? false),
        ],
      );
      const events = facts.effects.map((effect) => {
        const data: SideEffectRecordedV1 = {
          caseId,
          caseVersion: version,
          clinicId: facts.clinicId,
          ...(facts.pigmentId ? { pigmentId: facts.pigmentId } : {}),
          category: effect.category,
          severity: effect.severity,
          serious: input.serious,
          procedureDate: facts.procedureDate,
          onsetDate: effect.onsetDate,
        };
        return { id: randomUUID(), data };
      });
      await tx.query(
        `INSERT INTO intake.outbox (event_id, topic, message_key, event_type, subject, occurred_at, data)
         SELECT id, $2, $3, $4, $3, now(), data FROM unnest($1::uuid[], $5::jsonb[]) AS e(id, data)`,
        [
          events.map((event) => event.id),
          TOPICS.sideEffects,
          caseId,
          SIDE_EFFECT_RECORDED_V1,
          events.map((event) => JSON.stringify(event.data)),
        ],
      );
      return { caseId, version };
    });
  }
}
