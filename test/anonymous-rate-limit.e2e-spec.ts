import { testDatabase } from './support/environment.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

describe('rate limiting of anonymous reports', () => {
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };

  beforeAll(async () => {
    system = await startSystem(13400, { ANONYMOUS_REPORTS_PER_MINUTE: '3' });
    clinic = await registerClinic(system);
  }, 120_000);

  afterAll(() => system?.stop());

  it('answers 429 with Retry-After and problem details past the limit, stores nothing, and never throttles a key', async () => {
    const body = {
      clinicId: clinic.clinicId,
      procedureDate: '2026-07-01',
      reporter: { type: 'client' },
      effects: [{ category: 'other', onsetDate: '2026-07-02', severity: 'mild' }],
    };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(`${system.intake}/v1/reports`, { body })).status);
    expect(statuses).toEqual([201, 201, 201]);

    const limited = await call(`${system.intake}/v1/reports`, { body });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });

    expect((await call(`${system.intake}/v1/reports`, { body, key: clinic.key })).status).toBe(201);
    const db = testDatabase();
    try {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM intake.cases WHERE clinic_id = $1', [clinic.clinicId]);
      expect(rows[0].n).toBe(4); // three anonymous, one with a key; the throttled request stored nothing
    } finally {
      await db.end();
    }
  });
});
