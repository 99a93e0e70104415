import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppMetrics } from '@smp/observability';
import { INTAKE_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../../test/support/database.js';
import { unique } from '../../../../test/support/environment.js';
import { CaseRepository, type CaseFacts } from '../cases/case.repository.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';
import { DuplicateScreening } from './duplicate-screening.service.js';

describe(`${DuplicateScreening.name} against the real Postgres`, () => {
  let db: DataSource;
  let cases: CaseRepository;
  let sut: DuplicateScreening;

  beforeAll(async () => {
    db = await migratedDataSource(INTAKE_SCHEMA);
    cases = new CaseRepository(db, new OutboxRepository(db), new AppMetrics('intake', { processMetrics: false }));
    sut = new DuplicateScreening(db);
  });
  afterAll(() => db?.destroy());

  const open = async (facts: CaseFacts): Promise<string> => {
    const outcome = await cases.openCase(
      {
        facts,
        personal: { contact: null, narrative: null, effectDescriptions: facts.effects.map(() => null) },
        serious: false,
        seriousReasons: [],
        reportingDueBy: null,
        followUpTokenHash: createHash('sha256').update(unique('token')).digest(),
      },
      (opened) => opened.caseId,
    );
    return outcome.response;
  };

  it('screens cases opened together in batches, and flags exactly the pairs that match', async () => {
    const [clinic, otherClinic] = [unique('clinic'), unique('clinic')];
    const facts = (clinicId: string, procedureDate: string): CaseFacts => ({
      clinicId,
      procedureDate,
      patient: { ageYears: 41, sex: 'female' },
      effects: [{ category: 'allergic_reaction', severity: 'moderate', onsetDate: '2026-06-22' }],
    });
    const screened = [
      facts(clinic, '2026-06-20'),
      facts(clinic, '2026-06-20'), // the same report twice
      facts(clinic, '2026-06-21'), // another procedure date
      facts(otherClinic, '2026-06-20'), // another clinic
      facts(otherClinic, '2026-06-10'),
      facts(otherClinic, '2026-06-10'), // a second pair, in the same batch
    ];
    const ids = await Promise.all(screened.map(open));
    // All at once: the first is screened alone, the rest queue behind it and go as one batch.
    const flagged = await Promise.all(ids.map((caseId, index) => sut.screen(caseId, screened[index])));
    expect(flagged).toEqual([1, 1, 0, 0, 1, 1]);
    const pairs: Array<{ case_id: string; candidate_case_id: string }> = await db.query(
      `SELECT case_id, candidate_case_id FROM intake.possible_duplicates WHERE case_id = ANY($1) ORDER BY case_id, candidate_case_id`,
      [ids],
    );
    expect(pairs.map((pair) => [pair.case_id, pair.candidate_case_id])).toEqual(
      [
        [ids[0], ids[1]],
        [ids[1], ids[0]],
        [ids[4], ids[5]],
        [ids[5], ids[4]],
      ].sort((a, b) => a[0].localeCompare(b[0])),
    );
  });

  it('leaves a case unscreened rather than letting the cases waiting to be screened grow without bound', async () => {
    const bounded = new DuplicateScreening(db, 2);
    const facts: CaseFacts = {
      clinicId: unique('clinic'),
      procedureDate: '2026-07-02',
      patient: { ageYears: 35, sex: 'male' },
      effects: [{ category: 'infection', severity: 'mild', onsetDate: '2026-07-05' }],
    };
    const ids = await Promise.all([facts, facts, facts, facts].map(open));
    // Four copies of one report at once: two wait to be screened, the other two find no room and are not screened.
    const flagged = await Promise.all(ids.map((caseId) => bounded.screen(caseId, facts)));
    expect(flagged).toEqual([3, 3, 0, 0]);
    const flaggedCases: Array<{ case_id: string }> = await db.query(
      `SELECT DISTINCT case_id FROM intake.possible_duplicates WHERE case_id = ANY($1) ORDER BY case_id`,
      [ids],
    );
    expect(flaggedCases.map((row) => row.case_id)).toEqual([ids[0], ids[1]].sort());
    // Room again once those are done.
    expect(await bounded.screen(ids[2], facts)).toBe(3);
  });

  it('costs a flag, never a report, when screening fails', async () => {
    const facts: CaseFacts = { clinicId: unique('clinic'), procedureDate: 'not-a-date', effects: [] };
    expect(await sut.screen('SMP-2026-999999', facts)).toBe(0);
  });
});
