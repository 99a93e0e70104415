import { TOPICS } from '@smp/contracts';
import { eventually, jsonValue, testKafka, unique } from './support/environment.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/** Procedures (the denominators), the references clients report with, and safe retries. */
describe('procedures, procedure references and idempotent reports', () => {
  let system: RunningSystem;
  let clinicA: { clinicId: string; key: string };
  let clinicB: { clinicId: string; key: string };
  let pigmentId: string;

  beforeAll(async () => {
    system = await startSystem(13300);
    clinicA = await registerClinic(system, 'Clinic A');
    clinicB = await registerClinic(system, 'Clinic B');
    const pigment = await call(`${system.intake}/v1/pigments`, {
      key: system.adminKey,
      body: { manufacturer: 'Inkwell', product: 'Scalp Black', batch: unique('batch') },
    });
    pigmentId = pigment.body.pigmentId;
  }, 120_000);

  afterAll(() => system?.stop());

  const procedures = (clinicId: string) => `${system.intake}/v1/clinics/${clinicId}/procedures`;

  it('records procedures for the own clinic, gives each a reference and publishes them keyed by clinic', async () => {
    const body = {
      procedures: [
        { date: '2026-07-01', pigmentId, count: 12, sessionNumber: 1 },
        { date: '2026-07-02', pigmentId, count: 3 },
      ],
    };
    expect((await call(procedures(clinicA.clinicId), { body })).status).toBe(401);
    expect((await call(procedures(clinicA.clinicId), { body, key: clinicB.key })).status).toBe(403);
    const recorded = await call(procedures(clinicA.clinicId), { body, key: clinicA.key });
    expect(recorded.status).toBe(201);
    expect(recorded.body.procedures).toEqual([
      { ...body.procedures[0], procedureRef: expect.stringMatching(/^PR-[A-Z2-9]{10}$/) },
      { ...body.procedures[1], procedureRef: expect.stringMatching(/^PR-[A-Z2-9]{10}$/) },
    ]);

    const consumer = testKafka(unique('inspector')).consumer({ groupId: unique('inspector') });
    const seen: Array<{ key: string; value: { procedureRef: string; count: number } }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.procedures, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = jsonValue(message) as { clinicId?: string; procedureRef: string; count: number } | undefined;
        if (value?.clinicId === clinicA.clinicId) seen.push({ key: message.key!.toString(), value });
      },
    });
    try {
      await eventually(async () => (seen.length >= 2 ? true : undefined), 20_000, 'the procedure events');
    } finally {
      await consumer.disconnect();
    }
    expect(seen.map((event) => event.key)).toEqual([clinicA.clinicId, clinicA.clinicId]);
    expect(seen.map((event) => event.value.count).sort()).toEqual([12, 3].sort());
  });

  it('names each bad entry and records nothing of a rejected batch', async () => {
    const bad = await call(procedures(clinicA.clinicId), {
      key: clinicA.key,
      body: {
        procedures: [
          { date: '2026-07-01', pigmentId, count: 0 },
          { date: '2026-02-30', pigmentId: 'PIG-99999', count: 1 },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['procedures[0].count', 'procedures[1].date']);
    const unknown = await call(procedures(clinicA.clinicId), {
      key: clinicA.key,
      body: {
        procedures: [
          { date: '2026-07-01', pigmentId, count: 1 },
          { date: '2026-07-01', pigmentId: 'PIG-99999', count: 1 },
        ],
      },
    });
    expect(unknown).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'procedures[1].pigmentId', message: 'pigmentId PIG-99999 is not registered' }] },
    });
    const tooMany = await call(procedures(clinicA.clinicId), {
      key: clinicA.key,
      body: { procedures: Array.from({ length: 1001 }, () => ({ date: '2026-07-01', pigmentId, count: 1 })) },
    });
    expect(tooMany.status).toBe(400);
  });

  it('lets a client report with the procedure reference alone, and refuses a reference that does not fit', async () => {
    const recorded = await call(procedures(clinicA.clinicId), {
      key: clinicA.key,
      body: { procedures: [{ date: '2026-07-10', pigmentId, count: 1 }] },
    });
    const procedureRef = recorded.body.procedures[0].procedureRef;
    const effects = [{ category: 'discoloration', onsetDate: '2026-08-01', severity: 'mild', persistent: true }];
    const report = await call(`${system.intake}/v1/reports`, { body: { procedureRef, reporter: { type: 'client' }, effects } });
    expect(report).toMatchObject({ status: 201, body: { serious: true, seriousReasons: ['significant_disfigurement'] } });
    const versions = await call(`${system.intake}/v1/reports/${report.body.caseId}/versions`, { key: clinicA.key });
    expect(versions.body.versions[0].facts).toMatchObject({ clinicId: clinicA.clinicId, pigmentId, procedureDate: '2026-07-10' });

    const mismatch = await call(`${system.intake}/v1/reports`, {
      body: { procedureRef, clinicId: clinicB.clinicId, reporter: { type: 'client' }, effects },
    });
    expect(mismatch).toMatchObject({ status: 422, body: { errors: [{ field: 'clinicId' }] } });
    const unknown = await call(`${system.intake}/v1/reports`, {
      body: { procedureRef: 'PR-AAAAAAAAAA', reporter: { type: 'client' }, effects },
    });
    expect(unknown).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'procedureRef', message: 'procedureRef PR-AAAAAAAAAA is not registered' }] },
    });
    const neither = await call(`${system.intake}/v1/reports`, { body: { reporter: { type: 'client' }, effects } });
    expect(neither.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['clinicId', 'procedureDate']);
  });

  it('answers a retry with the same Idempotency-Key with the first answer, and refuses the key for another body', async () => {
    const key = unique('retry');
    const body = {
      clinicId: clinicA.clinicId,
      procedureDate: '2026-07-01',
      reporter: { type: 'client' },
      effects: [{ category: 'other', onsetDate: '2026-07-03', severity: 'mild' }],
    };
    const [first, second] = await Promise.all([
      call(`${system.intake}/v1/reports`, { body, headers: { 'idempotency-key': key } }),
      call(`${system.intake}/v1/reports`, { body, headers: { 'idempotency-key': key } }),
    ]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const third = await call(`${system.intake}/v1/reports`, { body, headers: { 'idempotency-key': key } });
    expect(third.body.caseId).toBe(first.body.caseId);
    const other = await call(`${system.intake}/v1/reports`, {
      body: { ...body, procedureDate: '2026-07-02' },
      headers: { 'idempotency-key': key },
    });
    expect(other).toMatchObject({ status: 422, body: { type: expect.stringContaining('idempotency-key-reused') } });
    const fresh = await call(`${system.intake}/v1/reports`, { body, headers: { 'idempotency-key': unique('retry') } });
    expect(fresh.body.caseId).not.toBe(first.body.caseId);
  });
});
