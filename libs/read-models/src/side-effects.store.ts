import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChangedMonths, Prefetch, SqlParameter } from './topic-projection.js';
import { recountCases, reportTermsOf } from './report-counts.js';
import {
  projectSideEffects,
  type CellDelta,
  type ProjectedState,
  type SideEffectChange,
  type SideEffectState,
} from './side-effect-projection.js';

/**
 * Writes a batch of side-effect changes (already filtered through the inbox) to the read models: one statement
 * reads the states the batch may change (or the inbox reads them with its own, see `prefetch`), one writes the
 * new states and every count table, and one more recounts the cases whose new states were left open by side effects
 * that do not say whether they count their case (recountCases), when the batch has any.
 */
@Injectable()
export class SideEffectsStore {
  /**
   * The states a batch's changes may move, read in another statement (the inbox's). Its changes may include
   * redeliveries: their keys are read too, which changes nothing for the new ones.
   */
  prefetch(changes: readonly SideEffectChange[], param: SqlParameter): Prefetch<LoadedStates> {
    const batch = batchKeys(changes);
    return { sql: statesSql(param(JSON.stringify(batch.keys))), read: (states) => loadedStates(batch, states as StoredStates) };
  }

  async apply(tx: EntityManager, events: readonly SideEffectChange[], prefetched?: LoadedStates): Promise<ChangedMonths> {
    if (events.length === 0) return [];
    const { prior, upToDate } = prefetched ?? (await this.loadStates(tx, batchKeys(events)));
    const changing = upToDate.size === 0 ? events : events.filter((event) => !upToDate.has(event.key));
    const { states, deltas } = projectSideEffects(changing, prior);
    await this.write(tx, states, deltas);
    // An amendment's delta takes counts out of the month it was in as well as into its new one: both are named.
    const months = new Set(deltas.map((delta) => delta.procedureMonth.slice(0, 7)));
    // States an intake from before report counts left open: their cases are counted across categories from the states.
    const open = new Set<string>();
    for (const state of states) if (state.countingOpen) open.add(state.caseId);
    if (open.size > 0) for (const month of await recountCases(tx, [...open])) months.add(month);
    return [...months];
  }

  /**
   * Upserts the states, and adds the deltas to the cube and its per-clinic, per-pigment and per-term rollups, in one
   * statement (one round trip). Each goes as one JSON parameter (perf: JSON.stringify is native; pg's array
   * literals escape element by element in JavaScript).
   */
  private async write(tx: EntityManager, states: readonly ProjectedState[], deltas: readonly CellDelta[]): Promise<void> {
    if (states.length === 0 && deltas.length === 0) return;
    await tx.query(
      `WITH states AS (
         INSERT INTO side_effect_state (case_id, category, case_version, clinic_id, pigment_id, procedure_month, severity, outcome, serious, counted,
                                        counts_case, counts_case_for_severity, counting_open)
         SELECT s."caseId", s.category, s."caseVersion", s."clinicId", s."pigmentId", s."procedureMonth"::date, s.severity, s.outcome,
                s.serious, s.counted, s."countsCase", s."countsCaseForSeverity", s."countingOpen"
           FROM json_to_recordset($1::json) AS s("caseId" text, category text, "caseVersion" int, "clinicId" text, "pigmentId" text,
                                                "procedureMonth" text, severity text, outcome text, serious bool, counted bool,
                                                "countsCase" bool, "countsCaseForSeverity" bool, "countingOpen" bool)
         ON CONFLICT (case_id, category) DO UPDATE SET
           case_version = excluded.case_version, clinic_id = excluded.clinic_id, pigment_id = excluded.pigment_id,
           procedure_month = excluded.procedure_month, severity = excluded.severity, outcome = excluded.outcome,
           serious = excluded.serious, counted = excluded.counted, counts_case = excluded.counts_case,
           counts_case_for_severity = excluded.counts_case_for_severity, counting_open = excluded.counting_open),
       d AS (
         SELECT d."clinicId" AS clinic_id, d.category, d."procedureMonth"::date AS procedure_month, d."pigmentId" AS pigment_id,
                d.severity, d.outcome, d.reports, d.serious, d.cases, d."seriousCases" AS serious_cases,
                d."severityCases" AS severity_cases, d."severitySeriousCases" AS severity_serious_cases
           FROM json_to_recordset($2::json) AS d("clinicId" text, category text, "procedureMonth" text, "pigmentId" text,
                                                severity text, outcome text, reports int, serious int, cases int, "seriousCases" int,
                                                "severityCases" int, "severitySeriousCases" int)),
       cube AS (
         INSERT INTO side_effect_counts AS t (clinic_id, category, procedure_month, pigment_id, severity, outcome, reports, serious,
                                              cases, serious_cases, severity_cases, severity_serious_cases)
         SELECT * FROM d
         ON CONFLICT (clinic_id, category, procedure_month, pigment_id, severity, outcome)
         DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious,
                       cases = t.cases + excluded.cases, serious_cases = t.serious_cases + excluded.serious_cases,
                       severity_cases = t.severity_cases + excluded.severity_cases,
                       severity_serious_cases = t.severity_serious_cases + excluded.severity_serious_cases),
       clinics AS (
         INSERT INTO clinic_category_month AS t (clinic_id, category, procedure_month, reports, serious)
         SELECT clinic_id, category, procedure_month, sum(reports), sum(serious) FROM d
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (clinic_id, category, procedure_month)
         DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious),
       terms AS (
         INSERT INTO report_term_month AS t (subject, term, procedure_month, reports, serious)
         ${reportTermsOf('d')} ORDER BY 1, 2, 3
         ON CONFLICT (subject, term, procedure_month)
         DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious)
       INSERT INTO pigment_category_month AS t (pigment_id, category, procedure_month, reports, serious)
       SELECT pigment_id, category, procedure_month, sum(reports), sum(serious) FROM d WHERE pigment_id <> ''
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (pigment_id, category, procedure_month)
       DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious`,
      [JSON.stringify(states), JSON.stringify(deltas)],
    );
  }

  private async loadStates(tx: EntityManager, batch: BatchKeys): Promise<LoadedStates> {
    const [{ states }]: Array<{ states: StoredStates }> = await tx.query(`SELECT ${statesSql('$1')} AS states`, [
      JSON.stringify(batch.keys),
    ]);
    return loadedStates(batch, states);
  }
}

/**
 * The stored state of each (case, category) the batch names (`keysParam`: their JSON), for those that one of its events
 * may change, as one JSON value: a key whose stored version is at least the batch's highest for it comes back as its
 * version alone (every event of it is a redelivery or out of date), and one with no state not at all. (perf: one
 * JSON.parse instead of a row object per key.)
 *
 * The rows are not locked (FOR UPDATE): a case's events are all in one partition, and transactions holding batches of
 * one partition take turns from before this read until they commit (the inbox's partition locks), which covers the
 * states not yet written as well, which no row lock can. A row lock wrote a WAL record and dirtied a page for every key
 * read, most of them never written (perf: Postgres 8.3-8.6 → 8.0 µs an event in the projector benchmark).
 */
function statesSql(keysParam: string): string {
  // perf: each key once, looked up through the primary key (OFFSET 0 keeps the planner from turning the
  // lookups into a hash join over the whole table, which costs in proportion to the table, not the batch).
  return `(SELECT coalesce(json_agg(CASE WHEN s.case_version >= k.v THEN json_build_array(s.case_version, k.i)
                                        ELSE json_build_array(s.case_version, k.i, s.clinic_id, s.pigment_id,
                                               to_char(s.procedure_month, 'YYYY-MM-DD'), s.severity, s.outcome, s.serious, s.counted,
                                               s.counts_case, s.counts_case_for_severity)
                                   END), '[]')
            FROM ROWS FROM (json_to_recordset(${keysParam}::json) AS (c text, g text, v int)) WITH ORDINALITY AS k(c, g, v, i)
           CROSS JOIN LATERAL (
             SELECT * FROM side_effect_state s WHERE s.case_id = k.c AND s.category = k.g OFFSET 0
           ) s)`;
}

/** The states statesSql read, by state key. */
function loadedStates({ ids, keys }: BatchKeys, states: StoredStates): LoadedStates {
  const prior = new Map<string, SideEffectState>();
  const upToDate = new Set<string>();
  for (const stored of states) {
    const i = stored[1] - 1;
    if (stored.length === 2) {
      upToDate.add(ids[i]);
      continue;
    }
    const [caseVersion, , clinicId, pigmentId, procedureMonth, severity, outcome, serious, counted, countsCase, countsCaseForSeverity] =
      stored;
    const { c: caseId, g: category } = keys[i];
    prior.set(ids[i], {
      caseId,
      category,
      caseVersion,
      clinicId,
      pigmentId,
      procedureMonth,
      severity,
      outcome,
      serious,
      counted,
      countsCase,
      countsCaseForSeverity,
    });
  }
  return { prior, upToDate };
}

/** One (case, category) of a batch (c, g) and its highest version in the batch (v), as sent to Postgres. */
interface BatchKey {
  c: string;
  g: string;
  v: number;
}

/** The distinct keys of a batch, and their state keys (stateKey) at the same positions. */
interface BatchKeys {
  keys: BatchKey[];
  ids: string[];
}

/** [case_version, key ordinal, clinic, pigment, procedure month, severity, outcome, serious, counted, counts_case, counts_case_for_severity] */
type StoredState = [number, number, string, string | null, string, string, string | null, boolean, boolean, boolean, boolean];
/** [case_version, key ordinal]: a key no event of the batch is newer than. */
type StaleKey = [number, number];
type StoredStates = Array<StoredState | StaleKey>;

/** What the write of a batch needs to know of the stored states. */
export interface LoadedStates {
  prior: Map<string, SideEffectState>;
  /** Keys whose stored version is at least every version the batch has of them. */
  upToDate: Set<string>;
}

/** The distinct (case, category) keys of a batch, each with its highest version in the batch. */
function batchKeys(events: readonly SideEffectChange[]): BatchKeys {
  const byId = new Map<string, BatchKey>();
  for (const { effect, key: id } of events) {
    const key = byId.get(id);
    if (!key) byId.set(id, { c: effect.caseId, g: effect.category, v: effect.caseVersion });
    else if (key.v < effect.caseVersion) key.v = effect.caseVersion;
  }
  return { keys: [...byId.values()], ids: [...byId.keys()] };
}
