import type { EntityManager } from 'typeorm';
import { SIDE_EFFECT_RECORDED_V1, type SideEffectRecordedV1 } from '@smp/contracts';
import { reportTermsOf } from './side-effects.store.js';

/**
 * Whether an event records a side effect without saying whether it counts its case across categories: the intake's
 * events from before report counts (SideEffectRecordedV1.countsCase). Projected, such a side effect counts its case
 * nowhere across categories, until recountReports.
 */
export const lacksCaseCounting = (type: string, data: unknown): boolean =>
  type === SIDE_EFFECT_RECORDED_V1 && (data as SideEffectRecordedV1).countsCase === undefined;

/**
 * Recounts the reports across categories of the read models in `schema` from their stored states, by the intake's rule
 * (caseCounting: the first of a case's side effects in category code order counts it, and the first of each severity
 * for its severity): the states' flags, the cube's case columns and `report_term_month`. A replay of topics that hold
 * events from before report counts (lacksCaseCounting) is exact after it. Run in one transaction, with no batch applied
 * to `schema` meanwhile (the cube's columns are set, not added to).
 *
 * Migration 1763769600012 did the same once, on the live schema: it keeps its own statements, as a migration must say
 * what it did when it ran whatever this function becomes.
 */
export async function recountReports(tx: EntityManager, schema: string): Promise<void> {
  await tx.query(`
    UPDATE ${schema}.side_effect_state s
       SET counts_case = f.first_of_case, counts_case_for_severity = f.first_of_severity
      FROM (SELECT case_id, category, counted AND row_number() OVER (PARTITION BY case_id, counted ORDER BY category COLLATE "C") = 1 AS first_of_case,
                   counted AND row_number() OVER (PARTITION BY case_id, counted, severity ORDER BY category COLLATE "C") = 1 AS first_of_severity
              FROM ${schema}.side_effect_state) f
     WHERE (s.case_id, s.category) = (f.case_id, f.category)
       AND (s.counts_case, s.counts_case_for_severity) IS DISTINCT FROM (f.first_of_case, f.first_of_severity)`);
  await tx.query(`
    UPDATE ${schema}.side_effect_counts t
       SET cases = coalesce(f.cases, 0), serious_cases = coalesce(f.serious_cases, 0),
           severity_cases = coalesce(f.severity_cases, 0), severity_serious_cases = coalesce(f.severity_serious_cases, 0)
      FROM ${schema}.side_effect_counts c
      LEFT JOIN (SELECT clinic_id, coalesce(pigment_id, '') AS pigment_id, category, procedure_month, severity, coalesce(outcome, '') AS outcome,
                        count(*) FILTER (WHERE counts_case) AS cases, count(*) FILTER (WHERE counts_case AND serious) AS serious_cases,
                        count(*) FILTER (WHERE counts_case_for_severity) AS severity_cases,
                        count(*) FILTER (WHERE counts_case_for_severity AND serious) AS severity_serious_cases
                   FROM ${schema}.side_effect_state WHERE counted GROUP BY 1, 2, 3, 4, 5, 6) f
        ON (c.clinic_id, c.pigment_id, c.category, c.procedure_month, c.severity, c.outcome)
         = (f.clinic_id, f.pigment_id, f.category, f.procedure_month, f.severity, f.outcome)
     WHERE (t.clinic_id, t.pigment_id, t.category, t.procedure_month, t.severity, t.outcome)
         = (c.clinic_id, c.pigment_id, c.category, c.procedure_month, c.severity, c.outcome)
       AND (t.cases, t.serious_cases, t.severity_cases, t.severity_serious_cases)
           IS DISTINCT FROM (coalesce(f.cases, 0), coalesce(f.serious_cases, 0), coalesce(f.severity_cases, 0), coalesce(f.severity_serious_cases, 0))`);
  await tx.query(`DELETE FROM ${schema}.report_term_month`);
  await tx.query(`
    INSERT INTO ${schema}.report_term_month (subject, term, procedure_month, reports, serious)
    ${reportTermsOf(`${schema}.side_effect_counts`)}`);
}
