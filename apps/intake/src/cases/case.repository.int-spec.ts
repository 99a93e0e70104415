import type { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { AppMetrics } from '@smp/observability';
import { INTAKE_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../../test/support/database.js';
import { unique } from '../../../../test/support/environment.js';
import { CaseRepository, type CaseFacts, type NewCase } from './case.repository.js';
import { OutboxRepository } from '../outbox/outbox.repository.js';

const newCase = (facts: CaseFacts, serious = false): NewCase => ({
  facts,
  personal: { contact: { email: 'client@example.org' }, narrative: 'My scalp itched for weeks.', effectDescriptions: [null] },
  serious,
  seriousReasons: serious ? ['infection'] : [],
  reportingDueBy: serious ? '2026-12-11' : null,
  followUpTokenHash: createHash('sha256').update('token').digest(),
});

describe(`${CaseRepository.name} against the real Postgres`, () => {
  let db: DataSource;
  let sut: CaseRepository;

  beforeAll(async () => {
    db = await migratedDataSource(INTAKE_SCHEMA);
    sut = new CaseRepository(db, new OutboxRepository(db), new AppMetrics('intake', { processMetrics: false }));
  });
  afterAll(() => db?.destroy());

  it('stores the case, its first version, its personal data apart, its side effects and one outbox row per side effect', async () => {
    const clinicId = unique('clinic');
    const outcome = await sut.openCase(
      newCase(
        {
          clinicId,
          procedureDate: '2026-04-01',
          effects: [
            { category: 'infection', severity: 'severe', onsetDate: '2026-04-03' },
            { category: 'scarring', severity: 'mild', onsetDate: '2026-04-20', persistent: true },
          ],
        },
        true,
      ),
      (opened) => opened,
    );
    expect(outcome.kind).toBe('opened');
    const { caseId, version } = outcome.response;
    expect(version).toBe(1);
    const [stored] = await db.query(
      `SELECT clinic_id, version, serious, serious_reasons, to_char(reporting_due_by, 'YYYY-MM-DD') AS due FROM intake.cases WHERE case_id = $1`,
      [caseId],
    );
    expect(stored).toEqual({ clinic_id: clinicId, version: 1, serious: true, serious_reasons: ['infection'], due: '2026-12-11' });
    const effects = await db.query(`SELECT category, persistent FROM intake.case_side_effects WHERE case_id = $1 ORDER BY category`, [
      caseId,
    ]);
    expect(effects).toEqual([
      { category: 'infection', persistent: false },
      { category: 'scarring', persistent: true },
    ]);
    const [versionRow] = await db.query(`SELECT report::text AS report FROM intake.case_versions WHERE case_id = $1`, [caseId]);
    expect(versionRow.report).not.toMatch(/example\.org|itched/);
    const [personal] = await db.query(`SELECT contact, narrative FROM intake.case_personal_data WHERE case_id = $1`, [caseId]);
    expect(personal).toEqual({ contact: { email: 'client@example.org' }, narrative: 'My scalp itched for weeks.' });
    const outbox = await db.query(`SELECT topic, event_type, data::text AS data FROM intake.outbox WHERE message_key = $1 ORDER BY id`, [
      caseId,
    ]);
    // The relay of a running intake may already have published them; either way none is half-written or personal.
    if (outbox.length > 0) {
      expect(outbox.map((row: { topic: string; event_type: string }) => [row.topic, row.event_type])).toEqual([
        ['smp.side-effects.v1', 'org.smpvigil.side-effect.recorded.v1'],
        ['smp.side-effects.v1', 'org.smpvigil.side-effect.recorded.v1'],
        ['smp.reports.v1', 'org.smpvigil.report.submitted.v1'],
      ]);
    }
    for (const row of outbox) expect(row.data).not.toMatch(/example\.org|itched/);
  });

  it('stores nothing when any part of the write fails', async () => {
    const clinicId = unique('clinic');
    await expect(
      sut.openCase(
        newCase({
          clinicId,
          procedureDate: '2026-04-01',
          effects: [{ category: 'inflammation', severity: 'mild', onsetDate: 'not-a-date' }],
        }),
        (opened) => opened,
      ),
    ).rejects.toThrow();
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM intake.cases WHERE clinic_id = $1`, [clinicId]);
    expect(n).toBe(0);
  });

  it('answers a repeated Idempotency-Key with the first answer and opens no second case', async () => {
    const clinicId = unique('clinic');
    const claim = { key: unique('idem'), requestHash: createHash('sha256').update('body').digest() };
    const facts = {
      clinicId,
      procedureDate: '2026-04-01',
      effects: [{ category: 'other' as const, severity: 'mild' as const, onsetDate: '2026-04-02' }],
    };
    const [first, second] = await Promise.all([
      sut.openCase(newCase(facts), (opened) => opened, claim),
      sut.openCase(newCase(facts), (opened) => opened, claim),
    ]);
    expect([first.kind, second.kind].sort()).toEqual(['opened', 'replayed']);
    expect(first.response).toEqual(second.response);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM intake.cases WHERE clinic_id = $1`, [clinicId]);
    expect(n).toBe(1);
  });
});
