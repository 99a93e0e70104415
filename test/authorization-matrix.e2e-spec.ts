import { unique } from './support/environment.js';
import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

type Caller = 'anonymous' | 'clinic A' | 'clinic B' | 'regulator' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'clinic A', 'clinic B', 'regulator', 'admin'];

/**
 * Who may do what, for every endpoint: the status each kind of caller gets
 * when acting on clinic A's data. Mutating calls get a fresh target each time.
 */
describe('authorisation of every endpoint', () => {
  let system: RunningSystem;
  let keys: Record<Caller, string | undefined>;
  let clinicA: { clinicId: string; key: string };
  let pigmentId: string;

  beforeAll(async () => {
    system = await startSystem(13600);
    clinicA = await registerClinic(system, 'Clinic A');
    const clinicB = await registerClinic(system, 'Clinic B');
    keys = {
      anonymous: undefined,
      'clinic A': clinicA.key,
      'clinic B': clinicB.key,
      regulator: await createKey(system, 'regulator'),
      admin: system.adminKey,
    };
    pigmentId = (
      await call(`${system.intake}/v1/pigments`, { key: system.adminKey, body: { manufacturer: 'M', product: 'P', batch: unique('b') } })
    ).body.pigmentId;
  }, 120_000);

  afterAll(() => system?.stop());

  const report = () => ({
    clinicId: clinicA.clinicId,
    procedureDate: '2026-07-01',
    reporter: { type: 'clinic' },
    effects: [{ category: 'inflammation', onsetDate: '2026-07-02', severity: 'mild' }],
  });
  const newCase = async () => (await call(`${system.intake}/v1/reports`, { body: report(), key: system.adminKey })).body.caseId as string;

  const endpoints: Array<{
    name: string;
    expected: Record<Caller, number>;
    request: () => Promise<{ url: string; method?: string; body?: unknown }>;
  }> = [
    {
      name: 'POST /v1/reports (for clinic A)',
      expected: { anonymous: 201, 'clinic A': 201, 'clinic B': 403, regulator: 201, admin: 201 },
      request: async () => ({ url: `${system.intake}/v1/reports`, body: report() }),
    },
    {
      name: 'GET /v1/reports?possibleDuplicate=true',
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 403, admin: 200 },
      request: async () => ({ url: `${system.intake}/v1/reports?possibleDuplicate=true` }),
    },
    {
      name: 'POST /v1/reports/{caseId}/follow-ups',
      expected: { anonymous: 401, 'clinic A': 201, 'clinic B': 404, regulator: 404, admin: 201 },
      request: async () => ({ url: `${system.intake}/v1/reports/${await newCase()}/follow-ups`, body: { outcome: 'recovered' } }),
    },
    {
      name: 'POST /v1/reports/{caseId}/nullification',
      expected: { anonymous: 401, 'clinic A': 201, 'clinic B': 404, regulator: 404, admin: 201 },
      request: async () => ({ url: `${system.intake}/v1/reports/${await newCase()}/nullification`, body: { reason: 'erroneous' } }),
    },
    {
      name: 'GET /v1/reports/{caseId}/versions',
      expected: { anonymous: 401, 'clinic A': 200, 'clinic B': 404, regulator: 403, admin: 200 },
      request: async () => ({ url: `${system.intake}/v1/reports/${await newCase()}/versions` }),
    },
    {
      name: 'POST /v1/clinics',
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 403, admin: 201 },
      request: async () => ({ url: `${system.intake}/v1/clinics`, body: { name: unique('clinic'), country: 'NL' } }),
    },
    {
      name: 'POST /v1/pigments',
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 403, admin: 201 },
      request: async () => ({ url: `${system.intake}/v1/pigments`, body: { manufacturer: 'M', product: 'P', batch: unique('batch') } }),
    },
    {
      name: 'POST /v1/admin/api-keys',
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 403, admin: 201 },
      request: async () => ({ url: `${system.intake}/v1/admin/api-keys`, body: { role: 'regulator' } }),
    },
    {
      name: 'POST /v1/clinics/{clinicId}/procedures (clinic A)',
      expected: { anonymous: 401, 'clinic A': 201, 'clinic B': 403, regulator: 403, admin: 201 },
      request: async () => ({
        url: `${system.intake}/v1/clinics/${clinicA.clinicId}/procedures`,
        body: { procedures: [{ date: '2026-07-01', pigmentId, count: 1 }] },
      }),
    },
    {
      name: 'GET /v1/clinics/{clinicId}/incidence (clinic A, insights)',
      expected: { anonymous: 401, 'clinic A': 200, 'clinic B': 403, regulator: 200, admin: 200 },
      request: async () => ({ url: `${system.insights}/v1/clinics/${clinicA.clinicId}/incidence` }),
    },
    ...['/v1/stats/clinics', '/v1/stats/pigments', '/v1/signals', '/v1/stats/clinics?country=GB&category=infection'].map((path) => ({
      name: `GET ${path} (regulators' figures across clinics, insights)`,
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 200, admin: 200 } as Record<Caller, number>,
      request: async () => ({ url: `${system.insights}${path}` }),
    })),
    ...['/v1/stats/count?field=category&clinicId={A}', '/v1/cases?serious=true&clinicId={A}'].map((path) => ({
      name: `GET ${path} (clinic A's own figures, insights)`,
      expected: { anonymous: 401, 'clinic A': 200, 'clinic B': 403, regulator: 200, admin: 200 } as Record<Caller, number>,
      request: async () => ({ url: `${system.insights}${path.replace('{A}', clinicA.clinicId)}` }),
    })),
    ...['/v1/stats/count?field=clinic', '/v1/cases?serious=true'].map((path) => ({
      name: `GET ${path} (confined to the caller's own clinic for a clinic key, insights)`,
      expected: { anonymous: 401, 'clinic A': 200, 'clinic B': 200, regulator: 200, admin: 200 } as Record<Caller, number>,
      request: async () => ({ url: `${system.insights}${path}` }),
    })),
    ...['/v1/public/clinics', '/v1/public/pigments?year=2026'].map((path) => ({
      name: `GET ${path} (public, suppressed, insights)`,
      expected: { anonymous: 200, 'clinic A': 200, 'clinic B': 200, regulator: 200, admin: 200 } as Record<Caller, number>,
      request: async () => ({ url: `${system.insights}${path}` }),
    })),
    {
      name: 'DELETE /v1/admin/api-keys/{keyId}',
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 403, admin: 204 },
      request: async () => {
        const created = await call(`${system.intake}/v1/admin/api-keys`, { key: system.adminKey, body: { role: 'regulator' } });
        return { url: `${system.intake}/v1/admin/api-keys/${created.body.keyId}`, method: 'DELETE' };
      },
    },
    ...(['intake', 'insights'] as const).map((app) => ({
      name: `GET /metrics (${app})`,
      expected: { anonymous: 401, 'clinic A': 403, 'clinic B': 403, regulator: 403, admin: 200 },
      request: async () => ({ url: `${system[app]}/metrics` }),
    })),
    {
      name: 'GET /health (every app)',
      expected: { anonymous: 200, 'clinic A': 200, 'clinic B': 200, regulator: 200, admin: 200 },
      request: async () => ({ url: `${system.insights}/health` }),
    },
  ];

  it.each(endpoints.map((endpoint) => [endpoint.name, endpoint] as const))('%s', async (_name, endpoint) => {
    const actual: Record<string, number> = {};
    for (const caller of CALLERS) {
      const { url, body, method } = await endpoint.request();
      const response = await call(url, { body, key: keys[caller], method });
      actual[caller] = response.status;
      if (response.status >= 400) expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(actual).toEqual(endpoint.expected);
  });
});
