import { monthOf } from '@smp/domain';
import type { SideEffectRecordedV1 } from '@smp/contracts';
import { leavesCaseCountingOpen } from './report-counts.js';

/** What the latest applied version of one (case, category) contributes to the counts. */
export interface SideEffectState {
  caseId: string;
  category: string;
  caseVersion: number;
  clinicId: string;
  pigmentId: string | null;
  /** First day of the procedure month, YYYY-MM-01. */
  procedureMonth: string;
  severity: string;
  outcome: string | null;
  serious: boolean;
  counted: boolean;
  /** Counts its case once across categories (SideEffectRecordedV1.countsCase), and once for its severity. */
  countsCase: boolean;
  countsCaseForSeverity: boolean;
}

/** A state as a batch writes it. (The states a batch reads back need no more than what they contribute.) */
export interface ProjectedState extends SideEffectState {
  /**
   * Its event did not say whether it counts its case (an intake from before report counts): the two flags above are then
   * the projection's, recounted from the case's states (recountCases), not the intake's.
   */
  countingOpen: boolean;
}

/** The coordinates of one cell of `side_effect_counts`. */
export interface CellKey {
  clinicId: string;
  /** '' when the report names no pigment. */
  pigmentId: string;
  category: string;
  procedureMonth: string;
  severity: string;
  /** '' when no outcome is known. */
  outcome: string;
}

/**
 * A change to one cell of `side_effect_counts`: its side effects (one per case and category), serious ones, and the
 * cases they count once across categories (`cases`) or once per severity (`severityCases`), with their serious ones.
 */
export interface CellDelta extends CellKey {
  reports: number;
  serious: number;
  cases: number;
  seriousCases: number;
  severityCases: number;
  severitySeriousCases: number;
}

export interface Projection {
  states: ProjectedState[];
  deltas: CellDelta[];
}

/** A side effect as one case version left it: recorded (counted) or retracted (not counted). */
export interface SideEffectChange {
  effect: SideEffectRecordedV1;
  retracted: boolean;
  /** stateKey of its (case, category), made once (perf: the batch looks it up several times). */
  key: string;
}

export const stateKey = (caseId: string, category: string): string => `${caseId}\u0000${category}`;

export const sideEffectChange = (effect: SideEffectRecordedV1, retracted: boolean): SideEffectChange => ({
  effect,
  retracted,
  key: stateKey(effect.caseId, effect.category),
});

/**
 * Sums deltas per cell; hands them out in primary-key order, so concurrent writers lock rows alike and cannot deadlock.
 * (perf: one string id per cell, fields in primary-key order joined by U+0000, which sorts below every other
 * character: sorting the ids sorts by the key, field by field.)
 */
class DeltaTable {
  private readonly cells = new Map<string, CellDelta>();

  /** Adds (sign 1) or takes back (-1) what a counted state contributes. */
  add(state: SideEffectState, sign: 1 | -1): void {
    const serious = state.serious ? sign : 0;
    const cases = state.countsCase ? sign : 0;
    const severityCases = state.countsCaseForSeverity ? sign : 0;
    const pigmentId = state.pigmentId ?? '';
    const outcome = state.outcome ?? '';
    const id = `${state.clinicId}\u0000${state.category}\u0000${state.procedureMonth}\u0000${pigmentId}\u0000${state.severity}\u0000${outcome}`;
    const cell = this.cells.get(id);
    if (cell) {
      cell.reports += sign;
      cell.serious += serious;
      cell.cases += cases;
      cell.seriousCases += state.serious ? cases : 0;
      cell.severityCases += severityCases;
      cell.severitySeriousCases += state.serious ? severityCases : 0;
      return;
    }
    this.cells.set(id, {
      clinicId: state.clinicId,
      pigmentId,
      category: state.category,
      procedureMonth: state.procedureMonth,
      severity: state.severity,
      outcome,
      reports: sign,
      serious,
      cases,
      seriousCases: state.serious ? cases : 0,
      severityCases,
      severitySeriousCases: state.serious ? severityCases : 0,
    });
  }

  changes(): CellDelta[] {
    const ids: string[] = [];
    for (const [id, cell] of this.cells) if (changes(cell)) ids.push(id);
    return ids.sort().map((id) => this.cells.get(id)!);
  }
}

const changes = (cell: CellDelta): boolean =>
  cell.reports !== 0 ||
  cell.serious !== 0 ||
  cell.cases !== 0 ||
  cell.seriousCases !== 0 ||
  cell.severityCases !== 0 ||
  cell.severitySeriousCases !== 0;

/**
 * Folds a batch of side-effect events, in log order, into the state changes and
 * the count deltas they cause. Counts follow the latest version of each case: an
 * event older than or equal to the applied version changes nothing; a newer one
 * first takes back what the previous version contributed, then counts itself
 * unless it is a retraction. Pure: the caller loads `prior` and writes the result.
 */
export function projectSideEffects(events: readonly SideEffectChange[], prior: ReadonlyMap<string, SideEffectState>): Projection {
  // perf: the batch's own changes overlay `prior` (no copy of it), in the order they first changed.
  const current = new Map<string, ProjectedState>();
  const deltas = new DeltaTable();

  for (const { effect: event, retracted, key } of events) {
    const before = current.get(key) ?? prior.get(key);
    if (before && before.caseVersion >= event.caseVersion) continue;
    if (before?.counted) deltas.add(before, -1);
    const after: ProjectedState = {
      caseId: event.caseId,
      category: event.category,
      caseVersion: event.caseVersion,
      clinicId: event.clinicId,
      pigmentId: event.pigmentId ?? null,
      procedureMonth: `${monthOf(event.procedureDate)}-01`,
      severity: event.severity,
      outcome: event.outcome ?? null,
      serious: event.serious,
      counted: !retracted,
      countsCase: !retracted && event.countsCase === true,
      countsCaseForSeverity: !retracted && event.countsCaseForSeverity === true,
      countingOpen: leavesCaseCountingOpen(event),
    };
    if (after.counted) deltas.add(after, 1);
    current.set(key, after);
  }

  return { states: [...current.values()], deltas: deltas.changes() };
}
