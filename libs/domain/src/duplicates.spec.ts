import { DUPLICATE_THRESHOLD, duplicateScore, likelyDuplicates, type DuplicateCandidateFacts } from './duplicates.js';
import { SEXES, SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from './side-effect.js';

const clinicReport: DuplicateCandidateFacts = {
  caseId: 'SMP-2026-000101',
  procedureDate: '2026-09-01',
  categories: ['infection', 'inflammation'],
  onsetDates: { infection: '2026-09-04', inflammation: '2026-09-03' },
  ageYears: 42,
  sex: 'male',
  pigmentId: 'PIG-7',
};

/** The same complication as reported by the client: only the date, the categories and onsets 2 days off. */
const clientReport: DuplicateCandidateFacts = {
  caseId: 'SMP-2026-000102',
  procedureDate: '2026-09-01',
  categories: ['inflammation', 'infection'],
  onsetDates: { infection: '2026-09-06', inflammation: '2026-09-05' },
};

/** Another client of the clinic, treated the same day. */
const otherClient: DuplicateCandidateFacts = {
  caseId: 'SMP-2026-000103',
  procedureDate: '2026-09-01',
  categories: ['discoloration'],
  onsetDates: { discoloration: '2026-10-01' },
  ageYears: 55,
  sex: 'female',
};

describe(duplicateScore.name, () => {
  it('scores an identical report at or above the threshold', () => {
    const sut = duplicateScore({ ...clinicReport, caseId: 'SMP-2026-000104' }, clinicReport);
    expect(sut.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(sut.reasons).toEqual([
      'same procedure date',
      'same categories: infection, inflammation',
      'same sex and age',
      'onsets 0 days apart',
      'same pigment',
    ]);
  });

  it('scores the client’s sparser account of the same complication at or above the threshold', () => {
    const sut = duplicateScore(clientReport, clinicReport);
    expect(sut.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    expect(sut.reasons).toEqual(['same procedure date', 'same categories: infection, inflammation', 'onsets 2 days apart']);
  });

  it('scores another client treated the same day below the threshold', () => {
    const sut = duplicateScore(otherClient, { ...clinicReport, ageYears: 30 });
    expect(sut.score).toBeLessThan(DUPLICATE_THRESHOLD);
    expect(sut.reasons).toEqual(['same procedure date', 'no shared category', 'different sex: female, male', 'ages 30 and 55']);
  });

  it('scores a different procedure date below the threshold, however much else agrees', () => {
    for (const procedureDate of ['2026-08-31', '2026-09-02', '2025-09-01']) {
      const sut = duplicateScore({ ...clinicReport, caseId: 'SMP-2026-000105', procedureDate }, clinicReport);
      expect(sut.score).toBeLessThan(DUPLICATE_THRESHOLD);
      expect(sut.reasons).toContain('different procedure date');
    }
  });

  it('treats unknown fields as neutral and known mismatches as evidence against', () => {
    const bare = { ...clinicReport, ageYears: undefined, sex: undefined, pigmentId: undefined, onsetDates: {} };
    const base = duplicateScore(bare, clinicReport).score;
    expect(duplicateScore({ ...bare, sex: 'unknown' }, clinicReport).score).toBe(base);
    expect(duplicateScore({ ...bare, sex: 'male' }, clinicReport).score).toBeGreaterThan(base);
    expect(duplicateScore({ ...bare, sex: 'female' }, clinicReport).score).toBeLessThan(base);
    expect(duplicateScore({ ...bare, ageYears: 43 }, clinicReport).score).toBeGreaterThan(base);
    expect(duplicateScore({ ...bare, ageYears: 44 }, clinicReport).score).toBe(base);
    expect(duplicateScore({ ...bare, ageYears: 45 }, clinicReport).score).toBeLessThan(base);
    expect(duplicateScore({ ...bare, pigmentId: 'PIG-7' }, clinicReport).score).toBeGreaterThan(base);
    expect(duplicateScore({ ...bare, pigmentId: 'PIG-9' }, clinicReport).score).toBeLessThan(base);
    const onsets = (days: number) => ({
      infection: addDays('2026-09-04', days),
      inflammation: addDays('2026-09-03', days),
    });
    expect(duplicateScore({ ...bare, onsetDates: onsets(3) }, clinicReport).score).toBeGreaterThan(base);
    expect(duplicateScore({ ...bare, onsetDates: onsets(14) }, clinicReport).score).toBe(base);
    expect(duplicateScore({ ...bare, onsetDates: onsets(15) }, clinicReport).score).toBeLessThan(base);
  });

  it('rises with the overlap of the categories', () => {
    const score = (categories: SideEffectCategory[]) => duplicateScore({ ...clientReport, categories, onsetDates: {} }, clinicReport).score;
    expect(score(['scarring'])).toBeLessThan(score(['infection', 'scarring']));
    expect(score(['infection', 'scarring'])).toBeLessThan(score(['infection']));
    expect(score(['infection'])).toBeLessThan(score(['infection', 'inflammation']));
    expect(duplicateScore({ ...clientReport, categories: ['infection', 'scarring'] }, clinicReport).reasons).toContain(
      'shared categories: infection (1 of 3)',
    );
  });

  it('is symmetric and bounded to 0..1', () => {
    const cases = generateCases(300);
    for (let i = 0; i < cases.length; i++) {
      const a = cases[i];
      const b = cases[(i * 7 + 3) % cases.length];
      const ab = duplicateScore(a, b);
      const ba = duplicateScore(b, a);
      expect(ab.score).toBe(ba.score);
      expect(ab.reasons).toEqual(ba.reasons);
      expect(ab.score).toBeGreaterThanOrEqual(0);
      expect(ab.score).toBeLessThanOrEqual(1);
      if (a.procedureDate !== b.procedureDate) expect(ab.score).toBeLessThan(DUPLICATE_THRESHOLD);
    }
  });
});

describe(likelyDuplicates.name, () => {
  it('lists only the cases at or above the threshold, best first, never the case itself', () => {
    const newCase = { ...clinicReport, caseId: 'SMP-2026-000110' };
    const recent = [
      otherClient,
      clientReport,
      newCase,
      clinicReport,
      { ...clinicReport, caseId: 'SMP-2026-000099', procedureDate: '2026-08-30' },
    ];
    const sut = likelyDuplicates(newCase, recent);
    expect(sut.map((match) => match.caseId)).toEqual([clinicReport.caseId, clientReport.caseId]);
    expect(sut[0].score).toBeGreaterThan(sut[1].score);
    expect(sut[0].reasons).toContain('same procedure date');
  });

  it('takes a custom threshold and returns nothing when nothing is close', () => {
    expect(likelyDuplicates(clinicReport, [otherClient])).toEqual([]);
    expect(likelyDuplicates(clinicReport, [otherClient, clientReport], 0).map((match) => match.caseId)).toEqual([
      clientReport.caseId,
      otherClient.caseId,
    ]);
    expect(likelyDuplicates(clinicReport, [])).toEqual([]);
  });

  it('orders every list best first', () => {
    const cases = generateCases(60);
    for (const newCase of cases.slice(0, 20)) {
      const sut = likelyDuplicates(newCase, cases, 0);
      expect(sut.some((match) => match.caseId === newCase.caseId)).toBe(false);
      for (let i = 1; i < sut.length; i++) expect(sut[i - 1].score).toBeGreaterThanOrEqual(sut[i].score);
    }
  });
});

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(isoDate) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Deterministic pseudo-random cases (a small LCG, so failures reproduce). */
function generateCases(count: number): DuplicateCandidateFacts[] {
  let seed = 12345;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  const cases: DuplicateCandidateFacts[] = [];
  for (let i = 0; i < count; i++) {
    const procedureDate = addDays('2026-09-01', next(4));
    const categories = SIDE_EFFECT_CATEGORIES.filter(() => next(3) === 0);
    const onsetDates: Partial<Record<SideEffectCategory, string>> = {};
    for (const category of categories) if (next(4) > 0) onsetDates[category] = addDays(procedureDate, next(30));
    cases.push({
      caseId: `SMP-2026-${String(i).padStart(6, '0')}`,
      procedureDate,
      categories,
      onsetDates,
      ...(next(3) > 0 ? { ageYears: 25 + next(8) } : {}),
      ...(next(3) > 0 ? { sex: SEXES[next(SEXES.length)] } : {}),
      ...(next(2) > 0 ? { pigmentId: `PIG-${next(3)}` } : {}),
    });
  }
  return cases;
}
