import { projectSideEffects, stateKey, type SideEffectChange, type SideEffectState } from './side-effect-projection.js';

const event = (overrides: Partial<SideEffectChange> = {}): SideEffectChange => ({
  caseId: 'SMP-2026-000001',
  caseVersion: 1,
  clinicId: 'clinic-a',
  category: 'infection',
  severity: 'mild',
  serious: true,
  procedureDate: '2026-03-15',
  onsetDate: '2026-03-18',
  retracted: false,
  ...overrides,
});

describe(projectSideEffects.name, () => {
  it('counts a new side effect in its clinic, category and procedure month', () => {
    const sut = projectSideEffects([event()], new Map());
    expect(sut.clinicDeltas).toEqual([
      { subject: 'clinic-a', category: 'infection', procedureMonth: '2026-03-01', reports: 1, serious: 1 },
    ]);
    expect(sut.pigmentDeltas).toEqual([]);
    expect(sut.states).toEqual([
      expect.objectContaining({ caseId: 'SMP-2026-000001', category: 'infection', caseVersion: 1, counted: true }),
    ]);
  });

  it('moves the count when a later version changes the clinic or the month', () => {
    const sut = projectSideEffects([event(), event({ caseVersion: 2, procedureDate: '2026-04-02', serious: false })], new Map());
    expect(sut.clinicDeltas).toEqual([
      { subject: 'clinic-a', category: 'infection', procedureMonth: '2026-04-01', reports: 1, serious: 0 },
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
      serious: true,
      counted: true,
    };
    const sut = projectSideEffects(
      [event({ caseVersion: 2 }), event({ caseVersion: 3 })],
      new Map([[stateKey(prior.caseId, prior.category), prior]]),
    );
    expect(sut).toEqual({ states: [], clinicDeltas: [], pigmentDeltas: [] });
  });

  it('keeps separate categories of one case apart and sums cases of one cell', () => {
    const sut = projectSideEffects(
      [event(), event({ category: 'inflammation', serious: false }), event({ caseId: 'SMP-2026-000002', serious: false })],
      new Map(),
    );
    expect(sut.clinicDeltas).toEqual([
      { subject: 'clinic-a', category: 'infection', procedureMonth: '2026-03-01', reports: 2, serious: 1 },
      { subject: 'clinic-a', category: 'inflammation', procedureMonth: '2026-03-01', reports: 1, serious: 0 },
    ]);
    expect(sut.states).toHaveLength(3);
  });

  it('uncounts a retracted side effect, and counts it again when a later version adds it back', () => {
    const retracted = projectSideEffects([event(), event({ caseVersion: 2, retracted: true })], new Map());
    expect(retracted.clinicDeltas).toEqual([]);
    expect(retracted.states).toEqual([expect.objectContaining({ caseVersion: 2, counted: false })]);
    const back = projectSideEffects(
      [event({ caseVersion: 3 })],
      new Map(retracted.states.map((state) => [stateKey(state.caseId, state.category), state])),
    );
    expect(back.clinicDeltas).toEqual([
      { subject: 'clinic-a', category: 'infection', procedureMonth: '2026-03-01', reports: 1, serious: 1 },
    ]);
  });

  it('counts per pigment too, and moves the pigment count when an amendment names another pigment', () => {
    const sut = projectSideEffects([event({ pigmentId: 'PIG-1' }), event({ caseVersion: 2, pigmentId: 'PIG-2' })], new Map());
    expect(sut.pigmentDeltas).toEqual([{ subject: 'PIG-2', category: 'infection', procedureMonth: '2026-03-01', reports: 1, serious: 1 }]);
    expect(sut.clinicDeltas).toEqual([
      { subject: 'clinic-a', category: 'infection', procedureMonth: '2026-03-01', reports: 1, serious: 1 },
    ]);
  });
});
