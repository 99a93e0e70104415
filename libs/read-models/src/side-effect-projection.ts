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
  severity: string;
  outcome: string | null;
  serious: boolean;
  counted: boolean;
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

/** A change to one cell of `side_effect_counts`. */
export interface CellDelta extends CellKey {
  reports: number;
  serious: number;
}

export interface Projection {
  states: SideEffectState[];
  deltas: CellDelta[];
}

/** A side effect as one case version left it: recorded (counted) or retracted (not counted). */
export type SideEffectChange = SideEffectRecordedV1 & { retracted: boolean };

export const stateKey = (caseId: string, category: string): string => `${caseId}\u0000${category}`;

const CELL_FIELDS = ['clinicId', 'category', 'procedureMonth', 'pigmentId', 'severity', 'outcome'] as const;

/** Sums deltas per cell; hands them out in primary-key order, so concurrent writers lock rows alike and cannot deadlock. */
class DeltaTable {
  private readonly cells = new Map<string, CellDelta>();

  add(key: CellKey, reports: number, serious: number): void {
    const id = CELL_FIELDS.map((field) => key[field]).join('\u0000');
    const cell = this.cells.get(id) ?? { ...key, reports: 0, serious: 0 };
    cell.reports += reports;
    cell.serious += serious;
    this.cells.set(id, cell);
  }

  changes(): CellDelta[] {
    return [...this.cells.values()]
      .filter((cell) => cell.reports !== 0 || cell.serious !== 0)
      .sort((x, y) => {
        for (const field of CELL_FIELDS) {
          if (x[field] !== y[field]) return x[field] < y[field] ? -1 : 1;
        }
        return 0;
      });
  }
}

/**
 * Folds a batch of side-effect events, in log order, into the state changes and
 * the count deltas they cause. Counts follow the latest version of each case: an
 * event older than or equal to the applied version changes nothing; a newer one
 * first takes back what the previous version contributed, then counts itself
 * unless it is a retraction. Pure: the caller loads `prior` and writes the result.
 */
export function projectSideEffects(events: readonly SideEffectChange[], prior: ReadonlyMap<string, SideEffectState>): Projection {
  const current = new Map(prior);
  const changed = new Set<string>();
  const deltas = new DeltaTable();

  const contribute = (state: SideEffectState, sign: 1 | -1) =>
    deltas.add(
      {
        clinicId: state.clinicId,
        pigmentId: state.pigmentId ?? '',
        category: state.category,
        procedureMonth: state.procedureMonth,
        severity: state.severity,
        outcome: state.outcome ?? '',
      },
      sign,
      state.serious ? sign : 0,
    );

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
      severity: event.severity,
      outcome: event.outcome ?? null,
      serious: event.serious,
      counted: !event.retracted,
    };
    if (after.counted) contribute(after, 1);
    current.set(key, after);
    changed.add(key);
  }

  return { states: [...changed].map((key) => current.get(key)!), deltas: deltas.changes() };
}
