import { REPORT_AMENDED_V1, REPORT_NULLIFIED_V1, SIDE_EFFECT_RECORDED_V1, SIDE_EFFECT_RETRACTED_V1 } from '@smp/contracts';
import type { CaseEffect } from '@smp/domain';
import { caseVersionEvents, type CaseVersionState } from './case-events.js';

const infection: CaseEffect = { category: 'infection', severity: 'moderate', onsetDate: '2026-05-09' };
const inflammation: CaseEffect = { category: 'inflammation', severity: 'mild', onsetDate: '2026-05-06' };
const state = (overrides: Partial<CaseVersionState>): CaseVersionState => ({
  caseId: 'SMP-2026-000010',
  version: 2,
  kind: 'follow_up',
  clinicId: 'CLN-00001',
  procedureDate: '2026-05-05',
  effects: [infection],
  serious: true,
  seriousReasons: ['infection'],
  reportingDueBy: '2026-12-11',
  ...overrides,
});

const summary = (events: ReturnType<typeof caseVersionEvents>) =>
  events.map((event) => [
    event.type,
    (event.data as { category?: string }).category ?? null,
    (event.data as { caseVersion: number }).caseVersion,
  ]);

describe(caseVersionEvents.name, () => {
  it('records every present side effect at the new version and retracts the withdrawn ones', () => {
    expect(summary(caseVersionEvents(state({}), [inflammation, infection]))).toEqual([
      [SIDE_EFFECT_RECORDED_V1, 'infection', 2],
      [SIDE_EFFECT_RETRACTED_V1, 'inflammation', 2],
      [REPORT_AMENDED_V1, null, 2],
    ]);
  });

  it('retracts everything when the case is nullified, and the report event carries the effect set', () => {
    const events = caseVersionEvents(state({ kind: 'nullification', version: 3, effects: [infection, inflammation] }), [
      infection,
      inflammation,
    ]);
    expect(summary(events)).toEqual([
      [SIDE_EFFECT_RETRACTED_V1, 'infection', 3],
      [SIDE_EFFECT_RETRACTED_V1, 'inflammation', 3],
      [REPORT_NULLIFIED_V1, null, 3],
    ]);
    expect(events[2].data).toMatchObject({
      nullified: true,
      effects: [
        { ...infection, persistent: false },
        { ...inflammation, persistent: false },
      ],
    });
    expect(new Set(events.map((event) => event.id)).size).toBe(3);
  });

  it('marks one recorded side effect of the version to count the case, and one per severity, whatever their order', () => {
    const scarring: CaseEffect = { category: 'scarring', severity: 'moderate', onsetDate: '2026-06-01' };
    const allergy: CaseEffect = { category: 'allergic_reaction', severity: 'mild', onsetDate: '2026-05-07' };
    const events = caseVersionEvents(state({ effects: [scarring, infection, inflammation, allergy] }), [scarring, infection]);
    const flags = events
      .filter((event) => event.type === SIDE_EFFECT_RECORDED_V1)
      .map(({ data }) => {
        const { category, countsCase, countsCaseForSeverity } = data as {
          category: string;
          countsCase: boolean;
          countsCaseForSeverity: boolean;
        };
        return [category, countsCase, countsCaseForSeverity];
      });
    expect(flags).toEqual([
      ['scarring', false, false],
      ['infection', false, true],
      ['inflammation', false, false],
      ['allergic_reaction', true, true],
    ]);
  });

  it("says that a retraction counts nothing (an older intake's says nothing either way)", () => {
    const [retraction] = caseVersionEvents(state({ kind: 'nullification', effects: [infection] }), [infection]);
    expect(retraction!.type).toBe(SIDE_EFFECT_RETRACTED_V1);
    expect(retraction!.data).toMatchObject({ countsCase: false, countsCaseForSeverity: false });
  });
});
