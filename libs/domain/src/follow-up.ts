import { reportRuleViolations, type RuleViolation } from './report-rules.js';
import type { Outcome, Severity, SideEffectCategory } from './side-effect.js';

export interface CaseEffect {
  category: SideEffectCategory;
  severity: Severity;
  onsetDate: string;
  persistent?: boolean;
}

/** The facts of a case version that a follow-up can change. */
export interface AmendableFacts {
  procedureDate: string;
  effects: CaseEffect[];
  outcome?: Outcome;
  medicalIntervention?: boolean;
  hospitalized?: boolean;
}

export interface FollowUpChanges {
  outcome?: Outcome;
  /** New side effects, or a new account of one already reported (same category). */
  addEffects?: CaseEffect[];
  withdrawCategories?: SideEffectCategory[];
  medicalIntervention?: boolean;
  hospitalized?: boolean;
}

/**
 * The facts of the next version of a case. A follow-up adds, updates or
 * withdraws side effects and changes the outcome; a case always keeps at least
 * one side effect (an erroneous case is nullified instead).
 */
export function applyFollowUp<T extends AmendableFacts>(
  current: T,
  changes: FollowUpChanges,
  today: string,
): { next: T; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const effects = new Map(current.effects.map((effect) => [effect.category, effect]));
  const added = new Set((changes.addEffects ?? []).map((effect) => effect.category));

  (changes.withdrawCategories ?? []).forEach((category, index) => {
    const field = `withdrawCategories[${index}]`;
    if (added.has(category)) violations.push({ field, message: `${category} cannot be added and withdrawn at once` });
    else if (!effects.has(category)) violations.push({ field, message: `${category} is not a side effect of this case` });
    else effects.delete(category);
  });
  for (const effect of changes.addEffects ?? []) effects.set(effect.category, effect);

  const next: T = {
    ...current,
    effects: [...effects.values()],
    ...(changes.outcome !== undefined ? { outcome: changes.outcome } : {}),
    ...(changes.medicalIntervention !== undefined ? { medicalIntervention: changes.medicalIntervention } : {}),
    ...(changes.hospitalized !== undefined ? { hospitalized: changes.hospitalized } : {}),
  };
  if (next.effects.length === 0) {
    violations.push({ field: 'withdrawCategories', message: 'a case keeps at least one side effect; nullify an erroneous case instead' });
  }
  const dated = reportRuleViolations({ procedureDate: next.procedureDate, effects: changes.addEffects ?? [] }, today);
  violations.push(...dated.map((violation) => ({ ...violation, field: violation.field.replace(/^effects/, 'addEffects') })));
  return { next, violations };
}

/**
 * New medical information restarts the 15-business-day clock when it arrives
 * within a year of the first report (MoCRA); so does a case becoming serious.
 */
export function restartsReportingClock(
  before: { serious: boolean; receivedOn: string },
  after: { serious: boolean },
  newMedicalInformation: boolean,
  today: string,
): boolean {
  if (!after.serious) return false;
  if (!before.serious) return true;
  const oneYearOn = `${Number(before.receivedOn.slice(0, 4)) + 1}${before.receivedOn.slice(4)}`;
  return newMedicalInformation && today <= oneYearOn;
}
