import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { testDatabase } from './support/environment.js';
import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/** Clinics, pigments and API keys through the intake API, and who may do what. */
describe('registries and API keys', () => {
  let system: RunningSystem;
  let db: Pool;
  let regulatorKey: string;
  let clinicA: { clinicId: string; key: string };
  let clinicB: { clinicId: string; key: string };

  beforeAll(async () => {
    system = await startSystem(13100);
    db = testDatabase();
    regulatorKey = await createKey(system, 'regulator');
    clinicA = await registerClinic(system, 'Clinic A', 'GB');
    clinicB = await registerClinic(system, 'Clinic B', 'DE');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await db?.end();
  });

  const report = (clinicId: string, extra: object = {}) => ({
    clinicId,
    procedureDate: '2026-08-01',
    reporter: { type: 'clinic' },
    effects: [{ category: 'allergic_reaction', onsetDate: '2026-08-02', severity: 'mild' }],
    ...extra,
  });

  it('lets only admins register clinics and pigments', async () => {
    const clinic = { name: 'Scalp Studio', country: 'FR', region: 'Île-de-France' };
    const url = `${system.intake}/v1/clinics`;
    expect((await call(url, { body: clinic })).status).toBe(401);
    expect((await call(url, { body: clinic, key: clinicA.key })).status).toBe(403);
    expect((await call(url, { body: clinic, key: regulatorKey })).status).toBe(403);
    const created = await call(url, { body: clinic, key: system.adminKey });
    expect(created).toMatchObject({ status: 201, body: { clinicId: expect.stringMatching(/^CLN-\d{5,}$/), ...clinic } });

    const pigment = { manufacturer: 'Inkwell', product: 'Scalp Black', shade: 'Neutral 2', batch: 'B-2026-17' };
    const pigments = `${system.intake}/v1/pigments`;
    expect((await call(pigments, { body: pigment, key: clinicA.key })).status).toBe(403);
    const added = await call(pigments, { body: pigment, key: system.adminKey });
    expect(added).toMatchObject({ status: 201, body: { pigmentId: expect.stringMatching(/^PIG-\d{5,}$/), ...pigment } });
    const again = await call(pigments, { body: pigment, key: system.adminKey });
    expect(again).toMatchObject({ status: 409, body: { type: expect.stringContaining('pigment-exists') } });
  });

  it('names each bad field of a registration', async () => {
    const bad = await call(`${system.intake}/v1/clinics`, { key: system.adminKey, body: { name: '', country: 'Germany', owner: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['country', 'name', 'owner']);
  });

  it('makes keys that are shown once and stored only as hashes', async () => {
    const url = `${system.intake}/v1/admin/api-keys`;
    expect((await call(url, { key: clinicA.key, body: { role: 'admin' } })).status).toBe(403);
    expect((await call(url, { key: system.adminKey, body: { role: 'clinic' } })).body.errors).toEqual([
      { field: 'clinicId', message: 'clinicId is required for a clinic key' },
    ]);
    const unknown = await call(url, { key: system.adminKey, body: { role: 'clinic', clinicId: 'CLN-99999' } });
    expect(unknown).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'clinicId', message: 'clinicId CLN-99999 is not registered' }] },
    });
    expect((await call(url, { key: system.adminKey, body: { role: 'regulator', clinicId: clinicA.clinicId } })).status).toBe(400);

    const created = await call(url, { key: system.adminKey, body: { role: 'regulator' } });
    expect(created).toMatchObject({
      status: 201,
      body: { role: 'regulator', clinicId: null, key: expect.stringMatching(/^smpv_regulator_/) },
    });
    const { rows } = await db.query('SELECT key_hash FROM intake.api_keys WHERE key_id = $1', [created.body.keyId]);
    expect(rows[0].key_hash).toEqual(createHash('sha256').update(created.body.key).digest());
    const { rows: plain } = await db.query(
      `SELECT count(*)::int AS n FROM intake.api_keys WHERE encode(key_hash, 'escape') LIKE '%smpv_%'`,
    );
    expect(plain[0].n).toBe(0);
  });

  it('refuses a report naming an unknown clinic or pigment with 422 naming the field', async () => {
    const clinic = await call(`${system.intake}/v1/reports`, { body: report('CLN-99999') });
    expect(clinic).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'clinicId', message: 'clinicId CLN-99999 is not registered' }] },
    });
    expect(clinic.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const pigment = await call(`${system.intake}/v1/reports`, { body: report(clinicA.clinicId, { pigmentId: 'PIG-99999' }) });
    expect(pigment).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'pigmentId', message: 'pigmentId PIG-99999 is not registered' }] },
    });
    const { rows } = await db.query('SELECT count(*)::int AS n FROM intake.cases WHERE clinic_id = $1', [clinicA.clinicId]);
    expect(rows[0].n).toBe(0);
  });

  it('lets anyone report, lets a clinic key report only for its own clinic, and refuses a bad key', async () => {
    expect((await call(`${system.intake}/v1/reports`, { body: report(clinicA.clinicId) })).status).toBe(201);
    expect((await call(`${system.intake}/v1/reports`, { body: report(clinicA.clinicId), key: clinicA.key })).status).toBe(201);
    const other = await call(`${system.intake}/v1/reports`, { body: report(clinicB.clinicId), key: clinicA.key });
    expect(other).toMatchObject({ status: 403, body: { detail: 'A clinic key acts only for its own clinic.' } });
    const bad = await call(`${system.intake}/v1/reports`, { body: report(clinicA.clinicId), key: 'smpv_admin_not-a-real-key-at-all' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('shows a clinic its own incidence only; regulators and admins see every clinic', async () => {
    const url = (clinicId: string) => `${system.insights}/v1/clinics/${clinicId}/incidence`;
    expect((await call(url(clinicA.clinicId))).status).toBe(401);
    expect((await call(url(clinicA.clinicId), { key: clinicA.key })).status).toBe(200);
    expect((await call(url(clinicA.clinicId), { key: clinicB.key })).status).toBe(403);
    expect((await call(url(clinicB.clinicId), { key: regulatorKey })).status).toBe(200);
    expect((await call(url(clinicB.clinicId), { key: system.adminKey })).status).toBe(200);
  });

  it('revokes a key at once, in every app', async () => {
    const key = await createKey(system, 'regulator');
    const incidence = () => call(`${system.insights}/v1/clinics/${clinicA.clinicId}/incidence`, { key });
    // A regulator may not read case versions: 403 while the key is valid, 401 once it is not.
    const versions = () => call(`${system.intake}/v1/reports/SMP-2026-000001/versions`, { key });
    // Used twice in each app first, so that each holds it as verified.
    for (const [use, status] of [
      [incidence, 200],
      [versions, 403],
      [incidence, 200],
      [versions, 403],
    ] as const) {
      expect((await use()).status).toBe(status);
    }
    const [{ key_id: keyId }] = (
      await db.query('SELECT key_id FROM intake.api_keys WHERE key_hash = $1', [createHash('sha256').update(key).digest()])
    ).rows;
    const revoked = await call(`${system.intake}/v1/admin/api-keys/${keyId}`, { method: 'DELETE', key: system.adminKey });
    expect(revoked.status).toBe(204);
    // The other app (told through Postgres) and the revoking one alike.
    expect((await incidence()).status).toBe(401);
    expect((await versions()).status).toBe(401);
  });
});
