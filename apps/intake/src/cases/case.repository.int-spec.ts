import type { DataSource } from 'typeorm';
import { INTAKE_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../../test/support/database.js';
import { unique } from '../../../../test/support/environment.js';
import { CaseRepository } from './case.repository.js';

describe(`${CaseRepository.name} against the real Postgres`, () => {
  let db: DataSource;
  let sut: CaseRepository;

  beforeAll(async () => {
    db = await migratedDataSource(INTAKE_SCHEMA);
    sut = new CaseRepository(db);
  });
  afterAll(() => db?.destroy());

  it('stores the case, its first version, its side effects and one outbox row per side effect together', async () => {
    const clinicId = unique('clinic');
    const { caseId, version } = await sut.openCase({
      clinicId,
      procedureDate: '2026-04-01',
      serious: true,
      effects: [
        { category: 'infection', severity: 'severe', onsetDate: '2026-04-03' },
        { category: 'scarring', severity: 'mild', onsetDate: '2026-04-20' },
      ],
    });
    expect(version).toBe(1);
    const [stored] = await db.query(`SELECT clinic_id, version, serious FROM intake.cases WHERE case_id = $1`, [caseId]);
    expect(stored).toEqual({ clinic_id: clinicId, version: 1, serious: true });
    const effects = await db.query(`SELECT category FROM intake.case_side_effects WHERE case_id = $1 ORDER BY category`, [caseId]);
    expect(effects.map((row: { category: string }) => row.category)).toEqual(['infection', 'scarring']);
    const outbox = await db.query(`SELECT topic, event_type, data FROM intake.outbox WHERE message_key = $1 ORDER BY id`, [caseId]);
    // The relay of a running intake may already have published them; either way none may be half-written.
    expect([0, 2]).toContain(outbox.length);
  });

  it('stores nothing when any part of the write fails', async () => {
    const clinicId = unique('clinic');
    await expect(
      sut.openCase({
        clinicId,
        procedureDate: '2026-04-01',
        serious: false,
        effects: [{ category: 'inflammation', severity: 'mild', onsetDate: 'not-a-date' }],
      }),
    ).rejects.toThrow();
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM intake.cases WHERE clinic_id = $1`, [clinicId]);
    expect(n).toBe(0);
  });
});
