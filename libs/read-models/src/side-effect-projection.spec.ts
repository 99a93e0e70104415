import type { SideEffectRecordedV1 } from '@smp/contracts';
import {
  projectSideEffects,
  sideEffectChange,
  stateKey,
  type CellDelta,
  type SideEffectChange,
  type SideEffectState,
} from './side-effect-projection.js';

const event = ({ retracted = false, ...overrides }: Partial<SideEffectRecordedV1> & { retracted?: boolean } = {}): SideEffectChange =>
  sideEffectChange(
    {
      caseId: 'SMP-2026-000001',
      caseVersion: 1,
      clinicId: 'clinic-a',
      category: 'infection',
      severity: 'mild',
      serious: true,
      procedureDate: '2026-03-15',
      onsetDate: '2026-03-18',
      ...overrides,
    },
    retracted,
  );

const cell = (overrides: Partial<CellDelta> = {}): CellDelta => ({
  clinicId: 'clinic-a',
  pigmentId: '',
  category: 'infection',
  procedureMonth: '2026-03-01',
  severity: 'mild',
  outcome: '',
  reports: 1,
  serious: 1,
  ...overrides,
});

describe(projectSideEffects.name, () => {
  it('counts a new side effect in its clinic, category, procedure month and severity', () => {
    const sut = projectSideEffects([event()], new Map());
    expect(sut.deltas).toEqual([cell()]);
    expect(sut.states).toEqual([
      expect.objectContaining({ caseId: 'SMP-2026-000001', category: 'infection', caseVersion: 1, counted: true }),
    ]);
  });

  it('moves the count when a later version changes the month, the seriousness, the severity or the outcome', () => {
    const sut = projectSideEffects(
      [event(), event({ caseVersion: 2, procedureDate: '2026-04-02', serious: false, severity: 'severe', outcome: 'recovered' })],
      new Map(),
    );
    expect(sut.deltas).toEqual([cell({ procedureMonth: '2026-04-01', serious: 0, severity: 'severe', outcome: 'recovered' })]);
  });

  it('takes back what the applied version contributed, from the state loaded before the batch', () => {
    const prior: SideEffectState = {
      caseId: 'SMP-2026-000001',
      category: 'infection',
      caseVersion: 1,
      clinicId: 'clinic-a',
      pigmentId: 'PIG-1',
      procedureMonth: '2026-03-01',
      severity: 'mild',
      outcome: null,
      serious: true,
      counted: true,
    };
    const sut = projectSideEffects(
      [event({ caseVersion: 2, pigmentId: 'PIG-1', outcome: 'recovering' })],
      new Map([[stateKey(prior.caseId, prior.category), prior]]),
    );
    expect(sut.deltas).toEqual([
      cell({ pigmentId: 'PIG-1', reports: -1, serious: -1 }),
      cell({ pigmentId: 'PIG-1', outcome: 'recovering' }),
    ]);
  });

  it('ignores a version that is not newer than the one applied', () => {
    const prior: SideEffectState = {
      caseId: 'SMP-2026-000001',
      category: 'infection',
      caseVersion: 3,
      clinicId: 'clinic-a',
      pigmentId: null,
      procedureMonth: '2026-03-01',
      severity: 'mild',
      outcome: null,
      serious: true,
      counted: true,
    };
    const sut = projectSideEffects(
      [event({ caseVersion: 2 }), event({ caseVersion: 3 })],
      new Map([[stateKey(prior.caseId, prior.category), prior]]),
    );
    expect(sut).toEqual({ states: [], deltas: [] });
  });

  it('keeps separate categories of one case apart and sums cases of one cell', () => {
    const sut = projectSideEffects(
      [event(), event({ category: 'inflammation', serious: false }), event({ caseId: 'SMP-2026-000002', serious: false })],
      new Map(),
    );
    expect(sut.deltas).toEqual([cell({ reports: 2, serious: 1 }), cell({ category: 'inflammation', serious: 0 })]);
    expect(sut.states).toHaveLength(3);
  });

  it('uncounts a retracted side effect, and counts it again when a later version adds it back', () => {
    const retracted = projectSideEffects([event(), event({ caseVersion: 2, retracted: true })], new Map());
    expect(retracted.deltas).toEqual([]);
    expect(retracted.states).toEqual([expect.objectContaining({ caseVersion: 2, counted: false })]);
    const back = projectSideEffects(
      [event({ caseVersion: 3 })],
      new Map(retracted.states.map((state) => [stateKey(state.caseId, state.category), state])),
    );
    expect(back.deltas).toEqual([cell()]);
  });

  it('moves the count to the other pigment when an amendment names another pigment', () => {
    const sut = projectSideEffects([event({ pigmentId: 'PIG-1' }), event({ caseVersion: 2, pigmentId: 'PIG-2' })], new Map());
    expect(sut.deltas).toEqual([cell({ pigmentId: 'PIG-2' })]);
  });

  it('hands the cells out in primary-key order whatever the event order', () => {
    const sut = projectSideEffects(
      [
        event({ caseId: 'SMP-2026-000003', clinicId: 'clinic-b' }),
        event({ caseId: 'SMP-2026-000002', category: 'allergic_reaction' }),
        event(),
      ],
      new Map(),
    );
    expect(sut.deltas.map((delta) => `${delta.clinicId}/${delta.category}`)).toEqual([
      'clinic-a/allergic_reaction',
      'clinic-a/infection',
      'clinic-b/infection',
    ]);
  });
});
