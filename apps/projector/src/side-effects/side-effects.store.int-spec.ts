import type { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../../test/support/database.js';
import { unique } from '../../../../test/support/environment.js';
import type { SideEffectChange } from './side-effect-projection.js';
import { SideEffectsStore } from './side-effects.store.js';

describe(`${SideEffectsStore.name} against the real Postgres`, () => {
  let db: DataSource;
  let sut: SideEffectsStore;

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    sut = new SideEffectsStore(db);
  });
  afterAll(() => db?.destroy());

  const counts = (clinicId: string) =>
    db.query(
      `SELECT category, to_char(procedure_month, 'YYYY-MM') AS month, reports, serious
         FROM projector.clinic_category_month WHERE clinic_id = $1 AND reports <> 0 ORDER BY category, month`,
      [clinicId],
    );

  const event = (data: Partial<SideEffectChange> & { clinicId: string; caseId: string }) => ({
    id: randomUUID(),
    data: {
      caseVersion: 1,
      category: 'allergic_reaction',
      severity: 'mild',
      serious: false,
      procedureDate: '2026-01-20',
      onsetDate: '2026-01-21',
      retracted: false,
      ...data,
    } as SideEffectChange,
  });

  it('applies each event id once, however often the batch is delivered', async () => {
    const clinicId = unique('clinic');
    const batch = [event({ clinicId, caseId: 'SMP-2026-900001' }), event({ clinicId, caseId: 'SMP-2026-900002', serious: true })];
    expect(await sut.apply(batch)).toBe(2);
    expect(await sut.apply(batch)).toBe(0);
    expect(await sut.apply([batch[1], batch[1]])).toBe(0);
    expect(await counts(clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 2, serious: 1 }]);
  });

  it('counts the latest version only: an amendment moves the count instead of adding to it', async () => {
    const clinicId = unique('clinic');
    const caseId = 'SMP-2026-900003';
    await sut.apply([event({ clinicId, caseId })]);
    await sut.apply([event({ clinicId, caseId, caseVersion: 2, procedureDate: '2026-02-03', onsetDate: '2026-02-04', serious: true })]);
    // A late redelivery of version 1 under a new event id changes nothing.
    await sut.apply([event({ clinicId, caseId, caseVersion: 1 })]);
    expect(await counts(clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-02', reports: 1, serious: 1 }]);
  });

  it('leaves nothing behind when the batch fails: inbox and counts roll back together', async () => {
    const clinicId = unique('clinic');
    const good = event({ clinicId, caseId: 'SMP-2026-900004' });
    const bad = event({ clinicId, caseId: 'SMP-2026-900005', procedureDate: '2026-99-99' });
    await expect(sut.apply([good, bad])).rejects.toThrow();
    expect(await counts(clinicId)).toEqual([]);
    expect(await sut.apply([good])).toBe(1);
    expect(await counts(clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 1, serious: 0 }]);
  });
});
