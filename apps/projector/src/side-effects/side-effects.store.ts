import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { projectSideEffects, stateKey, type SideEffectChange, type SideEffectState } from './side-effect-projection.js';

export interface ReceivedEvent<T> {
  id: string;
  data: T;
}

/**
 * Applies a batch to the read models in one transaction: the inbox of applied
 * event ids filters out redeliveries, then the fold's deltas are written with
 * one set-based statement per table.
 */
@Injectable()
export class SideEffectsStore {
  constructor(private readonly db: DataSource) {}

  /** Returns how many events were new. */
  async apply(events: ReadonlyArray<ReceivedEvent<SideEffectChange>>): Promise<number> {
    if (events.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      const inserted: Array<{ event_id: string }> = await tx.query(
        `INSERT INTO projector.applied_events (event_id) SELECT unnest($1::uuid[])
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [events.map((event) => event.id)],
      );
      const fresh = new Set(inserted.map((row) => row.event_id));
      const toApply = events.filter((event) => fresh.delete(event.id)).map((event) => event.data);
      if (toApply.length === 0) return 0;

      const prior = await this.loadStates(tx, toApply);
      const { states, deltas } = projectSideEffects(toApply, prior);
      await this.saveStates(tx, states);
      if (deltas.length > 0) {
        // One lock order for every writer, so two projector instances cannot deadlock.
        deltas.sort((x, y) =>
          x.clinicId === y.clinicId
            ? x.category === y.category
              ? x.procedureMonth.localeCompare(y.procedureMonth)
              : x.category.localeCompare(y.category)
            : x.clinicId.localeCompare(y.clinicId),
        );
        await tx.query(
          `INSERT INTO projector.clinic_category_month AS t (clinic_id, category, procedure_month, reports, serious)
           SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::int[], $5::int[])
           ON CONFLICT (clinic_id, category, procedure_month)
           DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious`,
          [
            deltas.map((delta) => delta.clinicId),
            deltas.map((delta) => delta.category),
            deltas.map((delta) => delta.procedureMonth),
            deltas.map((delta) => delta.reports),
            deltas.map((delta) => delta.serious),
          ],
        );
      }
      return toApply.length;
    });
  }

  private async loadStates(tx: EntityManager, events: readonly SideEffectChange[]): Promise<Map<string, SideEffectState>> {
    const rows: Array<{
      case_id: string;
      category: string;
      case_version: number;
      clinic_id: string;
      procedure_month: string;
      serious: boolean;
      counted: boolean;
    }> = await tx.query(
      `SELECT s.case_id, s.category, s.case_version, s.clinic_id, to_char(s.procedure_month, 'YYYY-MM-DD') AS procedure_month,
              s.serious, s.counted
         FROM projector.side_effect_state s
         JOIN unnest($1::text[], $2::text[]) AS k(case_id, category) USING (case_id, category)
          FOR UPDATE OF s`,
      [events.map((event) => event.caseId), events.map((event) => event.category)],
    );
    return new Map(
      rows.map((row) => [
        stateKey(row.case_id, row.category),
        {
          caseId: row.case_id,
          category: row.category,
          caseVersion: row.case_version,
          clinicId: row.clinic_id,
          procedureMonth: row.procedure_month,
          serious: row.serious,
          counted: row.counted,
        },
      ]),
    );
  }

  private async saveStates(tx: EntityManager, states: readonly SideEffectState[]): Promise<void> {
    await tx.query(
      `INSERT INTO projector.side_effect_state (case_id, category, case_version, clinic_id, procedure_month, serious, counted)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::date[], $6::bool[], $7::bool[])
       ON CONFLICT (case_id, category) DO UPDATE SET
         case_version = excluded.case_version, clinic_id = excluded.clinic_id,
         procedure_month = excluded.procedure_month, serious = excluded.serious, counted = excluded.counted`,
      [
        states.map((state) => state.caseId),
        states.map((state) => state.category),
        states.map((state) => state.caseVersion),
        states.map((state) => state.clinicId),
        states.map((state) => state.procedureMonth),
        states.map((state) => state.serious),
        states.map((state) => state.counted),
      ],
    );
  }
}
