import { Validator } from '@seriousme/openapi-schema-validator';
import { call, startSystem, type RunningSystem } from './support/running-system.js';

/** The OpenAPI documents describe every endpoint, with examples, and are valid OpenAPI 3. */
describe('OpenAPI documents', () => {
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem(13500);
  }, 120_000);

  afterAll(() => system?.stop());

  it.each([
    [
      'intake',
      () => system.intake,
      [
        'post /v1/reports',
        'get /v1/reports',
        'post /v1/reports/{caseId}/follow-ups',
        'post /v1/reports/{caseId}/nullification',
        'get /v1/reports/{caseId}/versions',
        'post /v1/clinics',
        'post /v1/pigments',
        'post /v1/clinics/{clinicId}/procedures',
        'post /v1/admin/api-keys',
        'delete /v1/admin/api-keys/{keyId}',
        'get /health',
        'get /metrics',
      ],
    ],
    [
      'insights',
      () => system.insights,
      [
        'get /v1/clinics/{clinicId}/incidence',
        'get /v1/stats/clinics',
        'get /v1/stats/pigments',
        'get /v1/stats/count',
        'get /v1/signals',
        'get /v1/cases',
        'get /v1/public/clinics',
        'get /v1/public/pigments',
        'get /v1/me',
        'get /health',
        'get /metrics',
      ],
    ],
  ])('%s: /docs-json is valid OpenAPI 3 and documents every endpoint with an example', async (_app, base, endpoints) => {
    const { status, body: document } = await call(`${base()}/docs-json`);
    expect(status).toBe(200);
    expect(document.openapi).toMatch(/^3\./);
    const validation = await new Validator().validate(structuredClone(document));
    expect(validation).toEqual({ valid: true });

    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual([...endpoints].sort());

    for (const endpoint of endpoints.filter((name) => !name.endsWith('/health'))) {
      const [method, path] = endpoint.split(' ');
      const operation = document.paths[path][method];
      expect(operation.summary).toEqual(expect.any(String));
      const text = JSON.stringify(operation);
      expect({ endpoint, hasExample: /"examples?"/.test(text) }).toEqual({ endpoint, hasExample: true });
    }
    const html = await fetch(`${base()}/docs`);
    expect(html.status).toBe(200);
  });

  it('derives request schemas from the validation rules', async () => {
    const { body: document } = await call(`${system.intake}/docs-json`);
    const report = document.components.schemas.SubmitReportRequestDto;
    expect(report.properties.effects).toMatchObject({
      type: 'array',
      maxItems: 10,
      minItems: 1,
      items: { $ref: '#/components/schemas/SideEffectDto' },
    });
    expect(document.components.schemas.SideEffectDto.properties.category.enum).toContain('pigment_migration');
  });
});
