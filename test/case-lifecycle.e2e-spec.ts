import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';
import { REPORT_AMENDED_V1, REPORT_NULLIFIED_V1, REPORT_SUBMITTED_V1, TOPICS } from '@smp/contracts';
import { eventually, jsonValue, testKafka, unique } from './support/environment.js';

/**
 * A case's life: follow-ups add and withdraw side effects, seriousness and the
 * deadline are recomputed, nullification removes it from every count, every
 * version is kept, and the statistics follow the latest version exactly.
 */
describe('follow-ups, nullification and versions', () => {
  let system: RunningSystem;
  let regulatorKey: string;
  let clinicA: { clinicId: string; key: string };
  let clinicB: { clinicId: string; key: string };

  beforeAll(async () => {
    system = await startSystem(13200);
    regulatorKey = await createKey(system, 'regulator');
    clinicA = await registerClinic(system, 'Clinic A');
    clinicB = await registerClinic(system, 'Clinic B');
  }, 120_000);

  afterAll(() => system?.stop());

  const counts = async (clinicId: string) => {
    const { body } = await call(`${system.insights}/v1/clinics/${clinicId}/incidence`, { key: regulatorKey });
    return Object.fromEntries(
      (body.rows as Array<{ category: string; reports: number; serious: number }>).map((row) => [row.category, [row.reports, row.serious]]),
    );
  };
  const settle = (clinicId: string, expected: Record<string, [number, number]>) =>
    eventually(
      async () => (JSON.stringify(await counts(clinicId)) === JSON.stringify(expected) ? true : undefined),
      15_000,
      `counts ${JSON.stringify(expected)}`,
    );

  it('moves the counts with each version and keeps every version', async () => {
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    const submitted = await call(`${system.intake}/v1/reports`, {
      body: {
        clinicId: clinicA.clinicId,
        procedureDate: '2026-05-05',
        reporter: { type: 'client', contact: { email: 'private@example.org' } },
        effects: [{ category: 'inflammation', onsetDate: '2026-05-06', severity: 'mild' }],
      },
    });
    expect(submitted.body).toMatchObject({ version: 1, serious: false, seriousReasons: [], reportingDueBy: null });
    const { caseId, followUpToken } = submitted.body;
    await settle(clinicA.clinicId, { inflammation: [1, 0] });

    const url = `${system.intake}/v1/reports/${caseId}/follow-ups`;
    const addInfection = {
      addEffects: [{ category: 'infection', onsetDate: '2026-05-09', severity: 'moderate' }],
      medicalInformation: 'GP prescribed antibiotics.',
    };
    expect((await call(url, { body: addInfection })).status).toBe(401);
    expect((await call(url, { body: addInfection, headers: { 'x-follow-up-token': 'wrong-token' } })).status).toBe(404);
    expect((await call(url, { body: addInfection, key: clinicB.key })).status).toBe(404);
    // JSON only: an empty form body (Nest's Fastify adapter would parse it into {}, a valid empty follow-up) is a 415,
    // and adds no version (the next follow-up below is version 2).
    const form = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-follow-up-token': followUpToken },
      body: '',
    });
    expect(form.status).toBe(415);
    expect(form.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const second = await call(url, { body: addInfection, headers: { 'x-follow-up-token': followUpToken } });
    expect(second).toMatchObject({
      status: 201,
      body: { caseId, version: 2, serious: true, seriousReasons: ['infection'], reportingDueBy: expect.any(String) },
    });
    await settle(clinicA.clinicId, { infection: [1, 1], inflammation: [1, 1] });

    // A retry of the same follow-up changes nothing.
    const retry = await call(url, { body: addInfection, headers: { 'x-follow-up-token': followUpToken } });
    expect(retry.body.version).toBe(2);

    const withdraw = await call(url, { body: { withdrawCategories: ['inflammation'], outcome: 'recovering' }, key: clinicA.key });
    expect(withdraw.body).toMatchObject({ version: 3, serious: true });
    await settle(clinicA.clinicId, { infection: [1, 1] });

    const impossible = await call(url, { body: { withdrawCategories: ['scarring'] }, key: clinicA.key });
    expect(impossible).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'withdrawCategories[0]', message: 'scarring is not a side effect of this case' }] },
    });

    const nullifyUrl = `${system.intake}/v1/reports/${caseId}/nullification`;
    expect((await call(nullifyUrl, { body: { reason: 'duplicate' } })).status).toBe(401);
    expect((await call(nullifyUrl, { body: { reason: 'duplicate' }, key: regulatorKey })).status).toBe(404);
    // The token lets the reporter withdraw, not declare a duplicate.
    expect((await call(nullifyUrl, { body: { reason: 'duplicate' }, headers: { 'x-follow-up-token': followUpToken } })).status).toBe(404);
    expect((await call(nullifyUrl, { body: { reason: 'duplicate' }, key: clinicB.key })).status).toBe(404);
    const nullified = await call(nullifyUrl, { body: { reason: 'erroneous' }, key: clinicA.key });
    expect(nullified.body).toMatchObject({ version: 4, nullified: true, reportingDueBy: null });
    await settle(clinicA.clinicId, {});
    expect((await call(url, { body: { outcome: 'recovered' }, headers: { 'x-follow-up-token': followUpToken } })).status).toBe(409);

    const versions = await call(`${system.intake}/v1/reports/${caseId}/versions`, { key: clinicA.key });
    expect(versions.body.versions.map((version: { version: number; kind: string }) => [version.version, version.kind])).toEqual([
      [1, 'submission'],
      [2, 'follow_up'],
      [3, 'follow_up'],
      [4, 'nullification'],
    ]);
    expect(JSON.stringify(versions.body)).not.toMatch(/example\.org|antibiotics/);
    expect(versions.body.versions[2].facts.effects.map((effect: { category: string }) => effect.category)).toEqual(['infection']);

    // The published report events carry each version's whole effect set.
    const consumer = testKafka(unique('reports')).consumer({ groupId: unique('reports') });
    const published: Array<[string, number, string[], boolean]> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.reports, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = jsonValue(message) as
          { caseId?: string; clinicId?: string; caseVersion: number; effects: Array<{ category: string }>; nullified: boolean } | undefined;
        // Only this run's events, even against a broker kept from earlier runs.
        if (
          value === undefined ||
          value.caseId !== caseId ||
          value.clinicId !== clinicA.clinicId ||
          String(message.headers!.ce_time) < startedAt
        )
          return;
        const type = String(message.headers!.ce_type);
        published.push([
          type,
          value.caseVersion,
          value.effects.map((effect: { category: string }) => effect.category).sort(),
          value.nullified,
        ]);
      },
    });
    try {
      await eventually(async () => (published.length >= 4 ? true : undefined), 20_000, 'four report events');
    } finally {
      await consumer.disconnect();
    }
    expect(published).toEqual([
      [REPORT_SUBMITTED_V1, 1, ['inflammation'], false],
      [REPORT_AMENDED_V1, 2, ['infection', 'inflammation'], false],
      [REPORT_AMENDED_V1, 3, ['infection'], false],
      [REPORT_NULLIFIED_V1, 4, ['infection'], true],
    ]);

    const asAdmin = await call(`${system.intake}/v1/reports/${caseId}/versions`, { key: system.adminKey });
    expect(asAdmin.body.versions[0].personal.contact).toEqual({ email: 'private@example.org' });
    expect(asAdmin.body.versions[1].personal.narrative).toBe('GP prescribed antibiotics.');
    expect((await call(`${system.intake}/v1/reports/${caseId}/versions`, { key: regulatorKey })).status).toBe(403);
    expect((await call(`${system.intake}/v1/reports/${caseId}/versions`, { key: clinicB.key })).status).toBe(404);
  });

  it('answers 404 for a case that does not exist and 400 for a malformed case id', async () => {
    expect((await call(`${system.intake}/v1/reports/SMP-2026-999999/versions`, { key: system.adminKey })).status).toBe(404);
    expect((await call(`${system.intake}/v1/reports/not-a-case/versions`, { key: system.adminKey })).status).toBe(400);
  });

  it('flags a likely duplicate for admins to review, and never drops it', async () => {
    const body = {
      clinicId: clinicB.clinicId,
      procedureDate: '2026-06-20',
      reporter: { type: 'client' },
      patient: { ageYears: 41, sex: 'female' },
      effects: [{ category: 'allergic_reaction', onsetDate: '2026-06-22', severity: 'moderate' }],
    };
    const first = await call(`${system.intake}/v1/reports`, { body });
    const second = await call(`${system.intake}/v1/reports`, { body: { ...body, reporter: { type: 'clinic' } }, key: clinicB.key });
    expect([first.status, second.status]).toEqual([201, 201]);
    const other = await call(`${system.intake}/v1/reports`, {
      body: {
        ...body,
        procedureDate: '2026-06-21',
        effects: [{ category: 'allergic_reaction', onsetDate: '2026-06-22', severity: 'moderate' }],
      },
    });
    expect(other.status).toBe(201);

    const url = `${system.intake}/v1/reports?possibleDuplicate=true`;
    const flagged = await eventually(
      async () => {
        const { body: list } = await call(url, { key: system.adminKey });
        return list.items.find((item: { caseId: string }) => item.caseId === second.body.caseId);
      },
      10_000,
      'the duplicate flag',
    );
    expect(flagged).toMatchObject({
      clinicId: clinicB.clinicId,
      candidates: [{ caseId: first.body.caseId, reasons: expect.arrayContaining(['same procedure date']) }],
    });
    expect(flagged.candidates[0].score).toBeGreaterThanOrEqual(0.5);
    expect(flagged.candidates.map((candidate: { caseId: string }) => candidate.caseId)).not.toContain(other.body.caseId);

    expect((await call(url)).status).toBe(401);
    expect((await call(url, { key: clinicB.key })).status).toBe(403);
    expect((await call(`${system.intake}/v1/reports`, { key: system.adminKey })).status).toBe(400);
  });
});
