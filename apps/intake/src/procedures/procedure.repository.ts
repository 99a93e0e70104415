import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PROCEDURES_RECORDED_V1, TOPICS, type ProceduresRecordedV1 } from '@smp/contracts';
import { newEventId } from '@smp/messaging';
import { OutboxRepository } from '../outbox/outbox.repository.js';

export interface NewProcedure {
  date: string;
  pigmentId: string;
  count: number;
  sessionNumber?: number;
}

export interface StoredProcedure {
  procedureRef: string;
  clinicId: string;
  pigmentId: string;
  procedureDate: string;
}

/** A reference a client can type: unguessable, no look-alike characters. */
function newProcedureRef(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(10);
  return `PR-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

@Injectable()
export class ProcedureRepository {
  constructor(
    private readonly db: DataSource,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Stores the entries and one outbox event each (keyed by clinic) in one transaction. */
  async record(clinicId: string, entries: readonly NewProcedure[]): Promise<string[]> {
    const refs = entries.map(() => newProcedureRef());
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO intake.procedures (procedure_ref, clinic_id, pigment_id, procedure_date, session_number, count)
         SELECT ref, $1, pigment, day, session, n FROM unnest($2::text[], $3::text[], $4::date[], $5::int[], $6::int[]) AS e(ref, pigment, day, session, n)`,
        [
          clinicId,
          refs,
          entries.map((e) => e.pigmentId),
          entries.map((e) => e.date),
          entries.map((e) => e.sessionNumber ?? null),
          entries.map((e) => e.count),
        ],
      );
      const events = entries.map((entry, index) => {
        const data: ProceduresRecordedV1 = {
          procedureRef: refs[index],
          clinicId,
          pigmentId: entry.pigmentId,
          procedureDate: entry.date,
          ...(entry.sessionNumber ? { sessionNumber: entry.sessionNumber } : {}),
          count: entry.count,
        };
        return { id: newEventId(), topic: TOPICS.procedures, key: clinicId, type: PROCEDURES_RECORDED_V1, subject: refs[index], data };
      });
      await this.outbox.append(tx, events);
    });
    return refs;
  }

  async find(procedureRef: string): Promise<StoredProcedure | null> {
    const [row] = await this.db.query(
      `SELECT procedure_ref, clinic_id, pigment_id, to_char(procedure_date, 'YYYY-MM-DD') AS procedure_date FROM intake.procedures WHERE procedure_ref = $1`,
      [procedureRef],
    );
    return row
      ? { procedureRef: row.procedure_ref, clinicId: row.clinic_id, pigmentId: row.pigment_id, procedureDate: row.procedure_date }
      : null;
  }
}
