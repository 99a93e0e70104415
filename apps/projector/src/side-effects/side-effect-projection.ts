import { monthOf } from '@smp/domain';
import type { SideEffectRecordedV1 } from '@smp/contracts';

/** What the latest applied version of one (case, category) contributes to the counts. */
export interface SideEffectState {
  caseId: string;
  category: string;
  caseVersion: number;
  clinicId: string;
  /** First day of the procedure month, YYYY-MM-01. */
  procedureMonth: string;
  serious: boolean;
  counted: boolean;
}

export interface ClinicMonthDelta {
  clinicId: string;
  category: string;
  procedureMonth: string;
  reports: number;
  serious: number;
}

export interface Projection {
  states: SideEffectState[];
  deltas: ClinicMonthDelta[];
}

/** A side effect as one case version left it: recorded (counted) or retracted (not counted). */
export type SideEffectChange = SideEffectRecordedV1 & { retracted: boolean };

export const stateKey = (caseId: string, category: string): string => `${caseId}\u0000${category}`;

/**
 * Folds a batch of side-effect events, in log order, into the state changes and
 * the per-(clinic, category, month) count deltas they cause. Counts follow the
 * latest version of each case: an event older than or equal to the applied
 * version changes nothing; a newer one first takes back what the previous
 * version contributed. Pure: the caller loads `prior` and writes the result.
 */
export function projectSideEffects(events: readonly SideEffectChange[], prior: ReadonlyMap<string, SideEffectState>): Projection {
  const current = new Map(prior);
  const changed = new Set<string>();
  const deltas = new Map<string, ClinicMonthDelta>();

  const add = (clinicId: string, category: string, procedureMonth: string, reports: number, serious: number) => {
    const key = `${clinicId}\u0000${category}\u0000${procedureMonth}`;
    const delta = deltas.get(key) ?? { clinicId, category, procedureMonth, reports: 0, serious: 0 };
    delta.reports += reports;
    delta.serious += serious;
    deltas.set(key, delta);
  };

  for (const event of events) {
    const key = stateKey(event.caseId, event.category);
    const before = current.get(key);
    if (before && before.caseVersion >= event.caseVersion) continue;
    if (before?.counted) add(before.clinicId, before.category, before.procedureMonth, -1, before.serious ? -1 : 0);
    const after: SideEffectState = {
      caseId: event.caseId,
      category: event.category,
      caseVersion: event.caseVersion,
      clinicId: event.clinicId,
      procedureMonth: `${monthOf(event.procedureDate)}-01`,
      serious: event.serious,
      counted: !event.retracted,
    };
    if (after.counted) add(after.clinicId, after.category, after.procedureMonth, 1, after.serious ? 1 : 0);
    current.set(key, after);
    changed.add(key);
  }

  return {
    states: [...changed].map((key) => current.get(key)!),
    deltas: [...deltas.values()].filter((delta) => delta.reports !== 0 || delta.serious !== 0),
  };
}
