import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChangedMonths } from './topic-projection.js';
import { projectSideEffects, stateKey, type CellDelta, type SideEffectChange, type SideEffectState } from './side-effect-projection.js';

/**
 * Writes a batch of side-effect changes (already filtered through the inbox)
 * to the read models, with one set-based statement per table.
 */
@Injectable()
export class SideEffectsStore {
  async apply(tx: EntityManager, events: readonly SideEffectChange[]): Promise<ChangedMonths> {
    if (events.length === 0) return [];
    const prior = await this.loadStates(tx, events);
    const { states, deltas } = projectSideEffects(events, prior);
    await this.saveStates(tx, states);
    await this.addCounts(tx, deltas);
    // An amendment's delta takes counts out of the month it was in as well as into its new one: both are named.
    return [...new Set(deltas.map((delta) => delta.procedureMonth.slice(0, 7)))];
  }

  /** The cube and its per-clinic and per-pigment rollups, in one statement (one round trip). */
  private async addCounts(tx: EntityManager, deltas: readonly CellDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await tx.query(
      `WITH d AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[])
           AS d(clinic_id, category, procedure_month, pigment_id, severity, outcome, reports, serious)),
       cube AS (
         INSERT INTO side_effect_counts AS t (clinic_id, category, procedure_month, pigment_id, severity, outcome, reports, serious)
         SELECT * FROM d
         ON CONFLICT (clinic_id, category, procedure_month, pigment_id, severity, outcome)
         DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious),
       clinics AS (
         INSERT INTO clinic_category_month AS t (clinic_id, category, procedure_month, reports, serious)
         SELECT clinic_id, category, procedure_month, sum(reports), sum(serious) FROM d
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (clinic_id, category, procedure_month)
         DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious)
       INSERT INTO pigment_category_month AS t (pigment_id, category, procedure_month, reports, serious)
       SELECT pigment_id, category, procedure_month, sum(reports), sum(serious) FROM d WHERE pigment_id <> ''
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (pigment_id, category, procedure_month)
       DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious`,
      [
        deltas.map((delta) => delta.clinicId),
        deltas.map((delta) => delta.category),
        deltas.map((delta) => delta.procedureMonth),
        deltas.map((delta) => delta.pigmentId),
        deltas.map((delta) => delta.severity),
        deltas.map((delta) => delta.outcome),
        deltas.map((delta) => delta.reports),
        deltas.map((delta) => delta.serious),
      ],
    );
  }

  private async loadStates(tx: EntityManager, events: readonly SideEffectChange[]): Promise<Map<string, SideEffectState>> {
    const rows: Array<{
      case_id: string;
      category: string;
      case_version: number;
      clinic_id: string;
      pigment_id: string | null;
      procedure_month: string;
      severity: string;
      outcome: string | null;
      serious: boolean;
      counted: boolean;
    }> = await tx.query(
      // perf: each key once, looked up through the primary key (OFFSET 0 keeps the planner from turning the
      // lookups into a hash join over the whole table, which costs in proportion to the table, not the batch).
      `SELECT s.case_id, s.category, s.case_version, s.clinic_id, s.pigment_id,
              to_char(s.procedure_month, 'YYYY-MM-DD') AS procedure_month, s.severity, s.outcome, s.serious, s.counted
         FROM unnest($1::text[], $2::text[]) AS k(case_id, category)
        CROSS JOIN LATERAL (
          SELECT * FROM side_effect_state s WHERE s.case_id = k.case_id AND s.category = k.category OFFSET 0 FOR UPDATE
        ) s`,
      uniqueKeys(events),
    );
    return new Map(
      rows.map((row) => [
        stateKey(row.case_id, row.category),
        {
          caseId: row.case_id,
          category: row.category,
          caseVersion: row.case_version,
          clinicId: row.clinic_id,
          pigmentId: row.pigment_id,
          procedureMonth: row.procedure_month,
          severity: row.severity,
          outcome: row.outcome,
          serious: row.serious,
          counted: row.counted,
        },
      ]),
    );
  }

  private async saveStates(tx: EntityManager, states: readonly SideEffectState[]): Promise<void> {
    await tx.query(
      `INSERT INTO side_effect_state (case_id, category, case_version, clinic_id, pigment_id, procedure_month, severity, outcome, serious, counted)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::date[], $7::text[], $8::text[], $9::bool[], $10::bool[])
       ON CONFLICT (case_id, category) DO UPDATE SET
         case_version = excluded.case_version, clinic_id = excluded.clinic_id, pigment_id = excluded.pigment_id,
         procedure_month = excluded.procedure_month, severity = excluded.severity, outcome = excluded.outcome,
         serious = excluded.serious, counted = excluded.counted`,
      [
        states.map((state) => state.caseId),
        states.map((state) => state.category),
        states.map((state) => state.caseVersion),
        states.map((state) => state.clinicId),
        states.map((state) => state.pigmentId),
        states.map((state) => state.procedureMonth),
        states.map((state) => state.severity),
        states.map((state) => state.outcome),
        states.map((state) => state.serious),
        states.map((state) => state.counted),
      ],
    );
  }
}

/** The distinct (case, category) keys of a batch, as two parallel arrays. */
function uniqueKeys(events: readonly SideEffectChange[]): [string[], string[]] {
  const seen = new Set<string>();
  const cases: string[] = [];
  const categories: string[] = [];
  for (const event of events) {
    const key = stateKey(event.caseId, event.category);
    if (seen.has(key)) continue;
    seen.add(key);
    cases.push(event.caseId);
    categories.push(event.category);
  }
  return [cases, categories];
}
