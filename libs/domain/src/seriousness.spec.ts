import { seriousReasons } from './seriousness.js';

describe(seriousReasons.name, () => {
  it('calls any infection serious (MoCRA)', () => {
    expect(seriousReasons({ effects: [{ category: 'infection' }] })).toEqual(['infection']);
  });

  it('calls persistent migration or discoloration a significant disfigurement, but not a passing one', () => {
    expect(seriousReasons({ effects: [{ category: 'pigment_migration', persistent: true }] })).toEqual(['significant_disfigurement']);
    expect(seriousReasons({ effects: [{ category: 'discoloration', persistent: false }] })).toEqual([]);
  });

  it('is not serious for a mild inflammation without intervention', () => {
    expect(seriousReasons({ effects: [{ category: 'inflammation' }] })).toEqual([]);
  });

  it('lists every reason that applies', () => {
    expect(seriousReasons({ effects: [{ category: 'infection' }], hospitalized: true, medicalIntervention: true })).toEqual([
      'hospitalization',
      'infection',
      'medical_intervention',
    ]);
  });
});
