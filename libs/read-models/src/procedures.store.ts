import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChangedMonths } from './topic-projection.js';
import type { ProceduresRecordedV1 } from '@smp/contracts';
import { monthOf } from '@smp/domain';

/** Adds recorded procedures to the per clinic × pigment × month denominators. */
@Injectable()
export class ProceduresStore {
  async apply(tx: EntityManager, events: readonly ProceduresRecordedV1[]): Promise<ChangedMonths> {
    if (events.length === 0) return [];
    const cells = new Map<string, { clinicId: string; pigmentId: string; month: string; procedures: number }>();
    for (const event of events) {
      const month = `${monthOf(event.procedureDate)}-01`;
      const key = `${event.clinicId}\u0000${event.pigmentId}\u0000${month}`;
      const cell = cells.get(key) ?? { clinicId: event.clinicId, pigmentId: event.pigmentId, month, procedures: 0 };
      cell.procedures += event.count;
      cells.set(key, cell);
    }
    const sorted = [...cells.keys()].sort().map((key) => cells.get(key)!);
    await tx.query(
      `INSERT INTO procedures_month AS t (clinic_id, pigment_id, procedure_month, procedures)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::int[])
       ON CONFLICT (clinic_id, pigment_id, procedure_month) DO UPDATE SET procedures = t.procedures + excluded.procedures`,
      [
        sorted.map((cell) => cell.clinicId),
        sorted.map((cell) => cell.pigmentId),
        sorted.map((cell) => cell.month),
        sorted.map((cell) => cell.procedures),
      ],
    );
    return [...new Set(sorted.map((cell) => cell.month.slice(0, 7)))];
  }
}
