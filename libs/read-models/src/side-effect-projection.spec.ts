import type { SideEffectRecordedV1 } from '@smp/contracts';
import {
  projectSideEffects,
  sideEffectChange,
  stateKey,
  type CellDelta,
  type SideEffectChange,
  type ProjectedState,
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
      // As the intake says them: this one does not count its case (nor does any retraction).
      countsCase: false,
      countsCaseForSeverity: false,
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
  cases: 0,
  seriousCases: 0,
  severityCases: 0,
  severitySeriousCases: 0,
  ...overrides,
});

/** What the projector stored for an applied version of the default event's side effect. */
const state = (overrides: Partial<ProjectedState> = {}): ProjectedState => ({
  caseId: 'SMP-2026-000001',
  category: 'infection',
  caseVersion: 1,
  clinicId: 'clinic-a',
  pigmentId: null,
  procedureMonth: '2026-03-01',
  severity: 'mild',
  outcome: null,
  serious: true,
  counted: true,
  countsCase: false,
  countsCaseForSeverity: false,
  countingOpen: false,
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
    const prior = state({ pigmentId: 'PIG-1' });
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
    const prior = state({ caseVersion: 3 });
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

  describe('reports across categories', () => {
    const counting = { countsCase: true, countsCaseForSeverity: true };
    const caseCells = (overrides: Partial<CellDelta> = {}) =>
      cell({ cases: 1, seriousCases: 1, severityCases: 1, severitySeriousCases: 1, ...overrides });

    it('counts a case once, in the cell of the side effect that carries it, and once per severity', () => {
      const sut = projectSideEffects(
        [
          event({ category: 'allergic_reaction', ...counting }),
          event({ category: 'infection', severity: 'severe', countsCaseForSeverity: true }),
          event({ category: 'scarring', severity: 'severe' }),
        ],
        new Map(),
      );
      expect(sut.deltas).toEqual([
        caseCells({ category: 'allergic_reaction' }),
        cell({ category: 'infection', severity: 'severe', severityCases: 1, severitySeriousCases: 1 }),
        cell({ category: 'scarring', severity: 'severe' }),
      ]);
      const total = (field: keyof CellDelta) => sut.deltas.reduce((sum, delta) => sum + (delta[field] as number), 0);
      expect([total('reports'), total('cases'), total('severityCases')]).toEqual([3, 1, 2]);
    });

    it('moves the case to the side effect that carries it in a later version, and takes it back when that one is withdrawn', () => {
      const v1 = [event({ category: 'allergic_reaction', ...counting }), event({ category: 'infection' })];
      const v2 = [
        event({ caseVersion: 2, category: 'allergic_reaction', retracted: true }),
        event({ caseVersion: 2, category: 'infection', ...counting }),
      ];
      const sut = projectSideEffects([...v1, ...v2], new Map());
      expect(sut.deltas).toEqual([caseCells()]);
    });

    it('takes a nullified case out of the reports as well as the complications', () => {
      const sut = projectSideEffects([event({ ...counting }), event({ caseVersion: 2, retracted: true, ...counting })], new Map());
      expect(sut.deltas).toEqual([]);
      expect(sut.states).toEqual([expect.objectContaining({ counted: false, countsCase: false, countsCaseForSeverity: false })]);
    });

    it('counts the seriousness of the case with its report, and moves it when a later version changes it', () => {
      const sut = projectSideEffects([event({ ...counting }), event({ caseVersion: 2, serious: false, ...counting })], new Map());
      expect(sut.deltas).toEqual([caseCells({ serious: 0, seriousCases: 0, severitySeriousCases: 0 })]);
    });

    it('leaves the counting open for a side effect that does not say (an older intake): it counts nothing across categories yet', () => {
      const sut = projectSideEffects([event({ countsCase: undefined, countsCaseForSeverity: undefined })], new Map());
      expect(sut.states).toEqual([state({ countingOpen: true })]);
      expect(sut.deltas).toEqual([cell()]);
      const said = projectSideEffects([event({ ...counting })], new Map());
      expect(said.states).toEqual([state({ ...counting, countingOpen: false })]);
    });

    it('keeps a cell whose side effects net to nothing but whose report moved in or out of it', () => {
      const prior = state({ countsCase: true, countsCaseForSeverity: true });
      const sut = projectSideEffects([event({ caseVersion: 2 })], new Map([[stateKey(prior.caseId, prior.category), prior]]));
      expect(sut.deltas).toEqual([
        cell({ reports: 0, serious: 0, cases: -1, seriousCases: -1, severityCases: -1, severitySeriousCases: -1 }),
      ]);
    });
  });
});
