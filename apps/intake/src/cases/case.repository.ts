import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_RECORDED_V1, TOPICS, type SideEffectRecordedV1 } from '@smp/contracts';
import { formatCaseId, type Severity, type SideEffectCategory } from '@smp/domain';

export interface NewCase {
  clinicId: string;
  pigmentId?: string;
  procedureDate: string;
  serious: boolean;
  effects: ReadonlyArray<{ category: SideEffectCategory; severity: Severity; onsetDate: string }>;
}

/**
 * The write side's source of truth. A case, its first version and one outbox
 * row per side effect are written in one transaction: either the client gets
 * a case id and the events will follow, or nothing was stored.
 */
@Injectable()
export class CaseRepository {
  constructor(private readonly db: DataSource) {}

  async openCase(report: NewCase): Promise<{ caseId: string; version: number }> {
    return this.db.transaction(async (tx) => {
      const [{ sequence, year }] = await tx.query(
        `SELECT nextval('intake.case_number_seq')::int AS sequence, extract(year FROM now())::int AS year`,
      );
      const caseId = formatCaseId(year, sequence);
      const version = 1;
      await tx.query(`INSERT INTO intake.cases (case_id, version, clinic_id, procedure_date, serious) VALUES ($1, $2, $3, $4, $5)`, [
        caseId,
        version,
        report.clinicId,
        report.procedureDate,
        report.serious,
      ]);
      await tx.query(`INSERT INTO intake.case_versions (case_id, version, report) VALUES ($1, $2, $3)`, [
        caseId,
        version,
        JSON.stringify(report),
      ]);
      await tx.query(
        `INSERT INTO intake.case_side_effects (case_id, version, category, severity, onset_date)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::date[])`,
        [
          caseId,
          version,
          report.effects.map((effect) => effect.category),
          report.effects.map((effect) => effect.severity),
          report.effects.map((effect) => effect.onsetDate),
        ],
      );
      const events = report.effects.map((effect) => {
        const data: SideEffectRecordedV1 = {
          caseId,
          caseVersion: version,
          clinicId: report.clinicId,
          ...(report.pigmentId ? { pigmentId: report.pigmentId } : {}),
          category: effect.category,
          severity: effect.severity,
          serious: report.serious,
          procedureDate: report.procedureDate,
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
