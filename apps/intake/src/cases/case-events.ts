import {
  REPORT_AMENDED_V1,
  REPORT_NULLIFIED_V1,
  REPORT_SUBMITTED_V1,
  SIDE_EFFECT_RECORDED_V1,
  SIDE_EFFECT_RETRACTED_V1,
  TOPICS,
  type ReportV1,
  type SideEffectRecordedV1,
} from '@smp/contracts';
import { COUNTS_NOTHING, caseCounting, type CaseEffect, type Outcome, type SeriousReason } from '@smp/domain';
import { newEventId } from '@smp/messaging';

/** A case version as the outbox needs it: facts only. */
export interface CaseVersionState {
  caseId: string;
  version: number;
  kind: 'submission' | 'follow_up' | 'nullification';
  clinicId: string;
  pigmentId?: string;
  procedureDate: string;
  effects: CaseEffect[];
  outcome?: Outcome;
  serious: boolean;
  seriousReasons: SeriousReason[];
  reportingDueBy: string | null;
}

export interface OutboxEvent {
  id: string;
  topic: string;
  key: string;
  type: string;
  data: object;
}

/**
 * The events of one case version, so that a consumer can keep exact counts
 * of the latest version: every side effect present is recorded at this
 * version, every one that was present before and is not now is retracted (all
 * of them when the case is nullified), and the report event carries the whole
 * current effect set.
 */
export function caseVersionEvents(state: CaseVersionState, previousEffects: readonly CaseEffect[]): OutboxEvent[] {
  const nullified = state.kind === 'nullification';
  const counting = caseCounting(state.effects);
  const sideEffect = (effect: CaseEffect, type: string): OutboxEvent => {
    const data: SideEffectRecordedV1 = {
      caseId: state.caseId,
      caseVersion: state.version,
      clinicId: state.clinicId,
      ...(state.pigmentId ? { pigmentId: state.pigmentId } : {}),
      category: effect.category,
      severity: effect.severity,
      serious: state.serious,
      procedureDate: state.procedureDate,
      onsetDate: effect.onsetDate,
      ...(state.outcome ? { outcome: state.outcome } : {}),
      ...(type === SIDE_EFFECT_RECORDED_V1 ? counting(effect) : COUNTS_NOTHING),
    };
    return { id: newEventId(), topic: TOPICS.sideEffects, key: state.caseId, type, data };
  };
  const present = new Set(state.effects.map((effect) => effect.category));
  const sideEffects = nullified
    ? state.effects.map((effect) => sideEffect(effect, SIDE_EFFECT_RETRACTED_V1))
    : [
        ...state.effects.map((effect) => sideEffect(effect, SIDE_EFFECT_RECORDED_V1)),
        ...previousEffects.filter((effect) => !present.has(effect.category)).map((effect) => sideEffect(effect, SIDE_EFFECT_RETRACTED_V1)),
      ];
  const report: ReportV1 = {
    caseId: state.caseId,
    caseVersion: state.version,
    clinicId: state.clinicId,
    ...(state.pigmentId ? { pigmentId: state.pigmentId } : {}),
    procedureDate: state.procedureDate,
    serious: state.serious,
    seriousReasons: state.seriousReasons,
    ...(state.reportingDueBy ? { reportingDueBy: state.reportingDueBy } : {}),
    ...(state.outcome ? { outcome: state.outcome } : {}),
    nullified,
    effects: state.effects.map((effect) => ({ ...effect, persistent: effect.persistent ?? false })),
  };
  const reportType = { submission: REPORT_SUBMITTED_V1, follow_up: REPORT_AMENDED_V1, nullification: REPORT_NULLIFIED_V1 }[state.kind];
  return [...sideEffects, { id: newEventId(), topic: TOPICS.reports, key: state.caseId, type: reportType, data: report }];
}
