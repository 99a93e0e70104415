import { reportRuleViolations } from './report-rules.js';

const today = '2026-11-21';

describe(reportRuleViolations.name, () => {
  it('accepts an onset on the day of the procedure, up to today', () => {
    expect(
      reportRuleViolations({ procedureDate: '2026-11-01', effects: [{ category: 'infection', onsetDate: '2026-11-01' }] }, today),
    ).toEqual([]);
    expect(reportRuleViolations({ procedureDate: today, effects: [{ category: 'infection', onsetDate: today }] }, today)).toEqual([]);
  });

  it('names every violation with the field it concerns', () => {
    const sut = reportRuleViolations(
      {
        procedureDate: '2026-11-22',
        effects: [
          { category: 'infection', onsetDate: '2026-11-10' },
          { category: 'infection', onsetDate: '2027-01-01' },
        ],
      },
      today,
    );
    expect(sut).toEqual([
      { field: 'procedureDate', message: 'procedureDate 2026-11-22 is in the future' },
      { field: 'effects[0].onsetDate', message: 'onsetDate 2026-11-10 is before the procedure date 2026-11-22' },
      { field: 'effects[1].onsetDate', message: 'onsetDate 2027-01-01 is in the future' },
      { field: 'effects[1].category', message: 'category infection is reported twice' },
    ]);
  });
});
