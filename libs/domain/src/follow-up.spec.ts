import { applyFollowUp, restartsReportingClock, type AmendableFacts } from './follow-up.js';

const today = '2026-11-21';
const current: AmendableFacts = {
  procedureDate: '2026-09-01',
  effects: [
    { category: 'inflammation', severity: 'mild', onsetDate: '2026-09-02' },
    { category: 'discoloration', severity: 'mild', onsetDate: '2026-10-01' },
  ],
  outcome: 'recovering',
};

describe(applyFollowUp.name, () => {
  it('adds, updates and withdraws side effects and changes the outcome', () => {
    const sut = applyFollowUp(
      current,
      {
        outcome: 'not_recovered',
        addEffects: [
          { category: 'infection', severity: 'severe', onsetDate: '2026-09-05' },
          { category: 'discoloration', severity: 'moderate', onsetDate: '2026-10-01', persistent: true },
        ],
        withdrawCategories: ['inflammation'],
      },
      today,
    );
    expect(sut.violations).toEqual([]);
    expect(sut.next.outcome).toBe('not_recovered');
    expect(sut.next.effects).toEqual([
      { category: 'discoloration', severity: 'moderate', onsetDate: '2026-10-01', persistent: true },
      { category: 'infection', severity: 'severe', onsetDate: '2026-09-05' },
    ]);
    expect(current.effects).toHaveLength(2); // the current version is not touched
  });

  it('refuses to withdraw what is not there, to withdraw everything, and dates that break the rules', () => {
    const sut = applyFollowUp(
      current,
      {
        withdrawCategories: ['inflammation', 'discoloration', 'scarring'],
        addEffects: [{ category: 'scarring', severity: 'mild', onsetDate: '2026-08-01' }],
      },
      today,
    );
    expect(sut.violations).toEqual([
      { field: 'withdrawCategories[2]', message: 'scarring cannot be added and withdrawn at once' },
      { field: 'addEffects[0].onsetDate', message: 'onsetDate 2026-08-01 is before the procedure date 2026-09-01' },
    ]);
    expect(applyFollowUp(current, { withdrawCategories: ['inflammation', 'discoloration'] }, today).violations).toEqual([
      { field: 'withdrawCategories', message: 'a case keeps at least one side effect; nullify an erroneous case instead' },
    ]);
    expect(applyFollowUp(current, { withdrawCategories: ['other'] }, today).violations).toEqual([
      { field: 'withdrawCategories[0]', message: 'other is not a side effect of this case' },
    ]);
  });
});

describe(restartsReportingClock.name, () => {
  it('restarts for new medical information within a year of the first report', () => {
    expect(restartsReportingClock({ serious: true, receivedOn: '2026-01-10' }, { serious: true }, true, '2026-11-21')).toBe(true);
    expect(restartsReportingClock({ serious: true, receivedOn: '2025-11-20' }, { serious: true }, true, '2026-11-21')).toBe(false);
    expect(restartsReportingClock({ serious: true, receivedOn: '2026-01-10' }, { serious: true }, false, '2026-11-21')).toBe(false);
  });

  it('starts the clock when a case becomes serious, and never for a case that is not', () => {
    expect(restartsReportingClock({ serious: false, receivedOn: '2024-01-10' }, { serious: true }, false, today)).toBe(true);
    expect(restartsReportingClock({ serious: true, receivedOn: '2026-11-01' }, { serious: false }, true, today)).toBe(false);
  });
});
