import type { EntityManager } from 'typeorm';
import { SIDE_EFFECT_RECORDED_V1, type SideEffectRecordedV1 } from '@smp/contracts';

/**
 * Whether a side effect (recorded or retracted) leaves open whether it counts its case across categories: the events of
 * an intake from before report counts (SideEffectRecordedV1.countsCase), which say nothing either way. A newer intake
 * says it on every one, a retraction's being COUNTS_NOTHING.
 */
export const leavesCaseCountingOpen = (effect: SideEffectRecordedV1): boolean => effect.countsCase === undefined;

/**
 * A recorded side effect that does not say whether it counts its case: written by an intake from before report counts.
 * (Retractions do not tell the intakes apart: those of the intakes with report counts said nothing either, until
 * COUNTS_NOTHING.)
 */
export const lacksCaseCounting = (type: string, data: unknown): boolean =>
  type === SIDE_EFFECT_RECORDED_V1 && leavesCaseCountingOpen(data as SideEffectRecordedV1);

/**
 * Recounts the reports across categories of the given cases from their stored states whose counting is open (countingOpen:
 * their events did not say), by the intake's rule (caseCounting: of a case's counted side effects, the first in
 * category code order counts it, and the first of each severity counts it for its severity), in the read models the
 * transaction's search_path names: those states' flags, and by the difference each flag made, the cube's case columns
 * and `report_term_month`. Returns the procedure months ('YYYY-MM') whose figures moved.
 *
 * The side-effect store runs it, in the batch's transaction and after the batch's write, for the cases of the states
 * the batch wrote from side effects that leave the counting open (leavesCaseCountingOpen: countingOpen). An older intake's case version is all such side
 * effects, recorded and retracted, so the one applied last recounts the version whole: the read models end up as if
 * the intake had said it, in a replay as well as live, with an older intake still running beside a newer one. The
 * flags a newer intake gave are never recounted: its version may be half applied (its other side effects in the next
 * batch), and it says them all itself.
 *
 * Migration 1763769600012 did the same once for every case: it keeps its own statements, as a migration must say what it
 * did when it ran whatever this function becomes.
 */
export async function recountCases(tx: EntityManager, caseIds: readonly string[]): Promise<string[]> {
  if (caseIds.length === 0) return [];
  // The cube cells are locked in key order, as the batch's write locks them (no deadlock between two projectors).
  const rows: Array<{ month: string }> = await tx.query(
    `WITH f AS (
       SELECT case_id, category, clinic_id, coalesce(pigment_id, '') AS pigment_id, procedure_month, severity,
              coalesce(outcome, '') AS outcome, serious, counts_case AS old_case, counts_case_for_severity AS old_severity,
              counted AND row_number() OVER (PARTITION BY case_id, counted ORDER BY category COLLATE "C") = 1 AS new_case,
              counted AND row_number() OVER (PARTITION BY case_id, counted, severity ORDER BY category COLLATE "C") = 1 AS new_severity
         FROM side_effect_state WHERE case_id = ANY($1::text[]) AND counting_open),
     changed AS (
       UPDATE side_effect_state s SET counts_case = f.new_case, counts_case_for_severity = f.new_severity
         FROM f
        WHERE (s.case_id, s.category) = (f.case_id, f.category)
          AND (f.old_case, f.old_severity) IS DISTINCT FROM (f.new_case, f.new_severity)
       RETURNING f.*),
     d AS (
       SELECT clinic_id, category, procedure_month, pigment_id, severity, outcome,
              sum(new_case::int - old_case::int)::int AS cases,
              sum(CASE WHEN serious THEN new_case::int - old_case::int ELSE 0 END)::int AS serious_cases,
              sum(new_severity::int - old_severity::int)::int AS severity_cases,
              sum(CASE WHEN serious THEN new_severity::int - old_severity::int ELSE 0 END)::int AS severity_serious_cases
         FROM changed GROUP BY 1, 2, 3, 4, 5, 6),
     cube AS (
       INSERT INTO side_effect_counts AS t (clinic_id, category, procedure_month, pigment_id, severity, outcome, reports, serious,
                                            cases, serious_cases, severity_cases, severity_serious_cases)
       SELECT clinic_id, category, procedure_month, pigment_id, severity, outcome, 0, 0,
              cases, serious_cases, severity_cases, severity_serious_cases
         FROM d ORDER BY 1, 2, 3, 4, 5, 6
       ON CONFLICT (clinic_id, category, procedure_month, pigment_id, severity, outcome)
       DO UPDATE SET cases = t.cases + excluded.cases, serious_cases = t.serious_cases + excluded.serious_cases,
                     severity_cases = t.severity_cases + excluded.severity_cases,
                     severity_serious_cases = t.severity_serious_cases + excluded.severity_serious_cases),
     terms AS (
       INSERT INTO report_term_month AS t (subject, term, procedure_month, reports, serious)
       ${reportTermsOf('d')} ORDER BY 1, 2, 3
       ON CONFLICT (subject, term, procedure_month)
       DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious)
     SELECT DISTINCT to_char(procedure_month, 'YYYY-MM') AS month FROM d`,
    [caseIds],
  );
  return rows.map((row) => row.month);
}

/**
 * The rows of `report_term_month` that cube cells (or deltas to them) add up to, from `cells`, a relation with the
 * cube's columns: each cell's cases under its clinic, pigment, outcome and month, and its severity's cases under its
 * severity (subject, term, procedure_month, reports, serious; none that add nothing).
 */
export function reportTermsOf(cells: string): string {
  return `SELECT v.subject, v.term, c.procedure_month, sum(v.reports)::int AS reports, sum(v.serious)::int AS serious
            FROM ${cells} c
           CROSS JOIN LATERAL (VALUES ('clinic', c.clinic_id, c.cases, c.serious_cases), ('pigment', c.pigment_id, c.cases, c.serious_cases),
                                      ('outcome', c.outcome, c.cases, c.serious_cases), ('month', '', c.cases, c.serious_cases),
                                      ('severity', c.severity, c.severity_cases, c.severity_serious_cases)) AS v(subject, term, reports, serious)
           WHERE v.reports <> 0 OR v.serious <> 0
           GROUP BY 1, 2, 3`;
}
