import { monthOf } from '@smp/domain';
import type { SideEffectRecordedV1 } from '@smp/contracts';

/** What the latest applied version of one (case, category) contributes to the counts. */
export interface SideEffectState {
  caseId: string;
  category: string;
  caseVersion: number;
  clinicId: string;
  pigmentId: string | null;
  /** First day of the procedure month, YYYY-MM-01. */
  procedureMonth: string;
  serious: boolean;
  counted: boolean;
}

/** A change to one cell of a read model: per clinic or per pigment, × category × procedure month. */
export interface CellDelta {
  /** The clinic id or the pigment id. */
  subject: string;
  category: string;
  procedureMonth: string;
  reports: number;
  serious: number;
}

export interface Projection {
  states: SideEffectState[];
  clinicDeltas: CellDelta[];
  pigmentDeltas: CellDelta[];
}

/** A side effect as one case version left it: recorded (counted) or retracted (not counted). */
export type SideEffectChange = SideEffectRecordedV1 & { retracted: boolean };

export const stateKey = (caseId: string, category: string): string => `${caseId}\u0000${category}`;

class DeltaTable {
  private readonly cells = new Map<string, CellDelta>();

  add(subject: string, category: string, procedureMonth: string, reports: number, serious: number): void {
    const key = `${subject}\u0000${category}\u0000${procedureMonth}`;
    const cell = this.cells.get(key) ?? { subject, category, procedureMonth, reports: 0, serious: 0 };
    cell.reports += reports;
    cell.serious += serious;
    this.cells.set(key, cell);
  }

  /** Non-zero changes in one fixed order, so that concurrent writers lock rows alike and cannot deadlock. */
  changes(): CellDelta[] {
    return [...this.cells.values()]
      .filter((cell) => cell.reports !== 0 || cell.serious !== 0)
      .sort((x, y) => compare(x.subject, y.subject) || compare(x.category, y.category) || compare(x.procedureMonth, y.procedureMonth));
  }
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/**
 * Folds a batch of side-effect events, in log order, into the state changes and
 * the per-clinic and per-pigment (category, procedure month) count deltas they
 * cause. Counts follow the latest version of each case: an event older than or
 * equal to the applied version changes nothing; a newer one first takes back
 * what the previous version contributed, then counts itself unless it is a
 * retraction. Pure: the caller loads `prior` and writes the result.
 */
export function projectSideEffects(events: readonly SideEffectChange[], prior: ReadonlyMap<string, SideEffectState>): Projection {
  const current = new Map(prior);
  const changed = new Set<string>();
  const clinics = new DeltaTable();
  const pigments = new DeltaTable();

  const contribute = (state: SideEffectState, sign: 1 | -1) => {
    const serious = state.serious ? sign : 0;
    clinics.add(state.clinicId, state.category, state.procedureMonth, sign, serious);
    if (state.pigmentId) pigments.add(state.pigmentId, state.category, state.procedureMonth, sign, serious);
  };

  for (const event of events) {
    const key = stateKey(event.caseId, event.category);
    const before = current.get(key);
    if (before && before.caseVersion >= event.caseVersion) continue;
    if (before?.counted) contribute(before, -1);
    const after: SideEffectState = {
      caseId: event.caseId,
      category: event.category,
      caseVersion: event.caseVersion,
      clinicId: event.clinicId,
      pigmentId: event.pigmentId ?? null,
      procedureMonth: `${monthOf(event.procedureDate)}-01`,
      serious: event.serious,
      counted: !event.retracted,
    };
    if (after.counted) contribute(after, 1);
    current.set(key, after);
    changed.add(key);
  }

  return { states: [...changed].map((key) => current.get(key)!), clinicDeltas: clinics.changes(), pigmentDeltas: pigments.changes() };
}
