import { eventually } from './support/environment.js';
import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/** One sample of a scrape: `name{labels} value`, labels as Prometheus writes them; NaN when the series is absent. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** What an operator's Prometheus sees on each app's /metrics, with the admin key intake and insights ask for. */
describe('metrics of every app', () => {
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };
  let regulator: string;

  const scrape = async (base: string, key?: string) => {
    const response = await fetch(`${base}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  beforeAll(async () => {
    system = await startSystem(14000);
    clinic = await registerClinic(system, 'Metrics clinic');
    regulator = await createKey(system, 'regulator');
  }, 120_000);

  afterAll(() => system?.stop());

  it('asks for an admin key on intake and insights (401 without one, 403 with another role), none on the projector', async () => {
    for (const base of [system.intake, system.insights]) {
      expect((await scrape(base)).status).toBe(401);
      expect((await scrape(base, regulator)).status).toBe(403);
      expect((await scrape(base, clinic.key)).status).toBe(403);
      const admin = await scrape(base, system.adminKey);
      expect(admin.status).toBe(200);
      expect(admin.type).toMatch(/^text\/plain; version=0\.0\.4/);
    }
    expect((await scrape(system.projector)).status).toBe(200);
  });

  it("times intake's requests by route template and status, never by the ids in the path", async () => {
    const route = (text: string) =>
      sample(text, 'smp_intake_http_request_duration_seconds_count', 'method="POST",route="/v1/reports",status="201"') || 0;
    const before = route((await scrape(system.intake, system.adminKey)).text);
    const report = {
      clinicId: clinic.clinicId,
      procedureDate: '2026-07-01',
      reporter: { type: 'clinic' },
      effects: [{ category: 'infection', onsetDate: '2026-07-03', severity: 'moderate' }],
    };
    const created = await call(`${system.intake}/v1/reports`, { key: clinic.key, body: report });
    expect(created.status).toBe(201);
    await call(`${system.intake}/v1/reports`, { key: clinic.key, body: report });
    expect((await call(`${system.intake}/v1/reports/${created.body.caseId}/versions`, { key: clinic.key })).status).toBe(200);
    expect((await call(`${system.intake}/no-such-route`)).status).toBe(404);

    const { text } = await scrape(system.intake, system.adminKey);
    expect(route(text) - before).toBe(2);
    expect(
      sample(text, 'smp_intake_http_request_duration_seconds_count', 'method="GET",route="/v1/reports/:caseId/versions",status="200"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'smp_intake_http_request_duration_seconds_count', 'method="GET",route="unmatched",status="404"'),
    ).toBeGreaterThanOrEqual(1);
    // Both reports went through group commit: one statement each, or one for both.
    expect(sample(text, 'smp_intake_group_commit_cases_sum')).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain(created.body.caseId);
    expect(text).not.toContain('no-such-route');
    // The process's own figures, named for the app.
    expect(sample(text, 'smp_intake_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it("shows the intake's outbox: events published per topic, and nothing left waiting once they are", async () => {
    const created = await call(`${system.intake}/v1/reports`, {
      key: clinic.key,
      body: {
        clinicId: clinic.clinicId,
        procedureDate: '2026-08-01',
        reporter: { type: 'clinic' },
        effects: [{ category: 'allergic_reaction', onsetDate: '2026-08-02', severity: 'mild' }],
      },
    });
    expect(created.status).toBe(201);
    const text = await eventually(
      async () => {
        const { text } = await scrape(system.intake, system.adminKey);
        return sample(text, 'smp_intake_outbox_backlog_events') === 0 ? text : undefined;
      },
      15_000,
      'the outbox to be drained',
    );
    expect(sample(text, 'smp_intake_outbox_published_total', 'topic="smp.reports.v1"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'smp_intake_outbox_published_total', 'topic="smp.side-effects.v1"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'smp_intake_outbox_oldest_event_age_seconds')).toBe(0);
    expect(sample(text, 'smp_intake_outbox_relay_failures_total')).toBe(0);
  });

  it("counts insights' answer cache: a view asked for again is a hit, not computed again", async () => {
    const lookups = (text: string, outcome: string) =>
      sample(text, 'smp_insights_cache_lookups_total', `shelf="answers",outcome="${outcome}"`) || 0;
    const view = `${system.insights}/v1/stats/pigments?groupBy=manufacturer&from=2025-01&to=2025-06`;
    // A change to the read models (the reports above reaching the projector) starts a new version, and the next ask
    // is computed again: ask until two asks in a row fall within one version.
    await eventually(
      async () => {
        const before = (await scrape(system.insights, system.adminKey)).text;
        expect((await call(view, { key: regulator })).status).toBe(200);
        expect((await call(view, { key: regulator })).status).toBe(200);
        const after = (await scrape(system.insights, system.adminKey)).text;
        return lookups(after, 'hit') - lookups(before, 'hit') >= 1 && lookups(after, 'miss') - lookups(before, 'miss') <= 1
          ? true
          : undefined;
      },
      20_000,
      'a repeated view to be answered from the cache',
    );
    const { text } = await scrape(system.insights, system.adminKey);
    expect(sample(text, 'smp_insights_cache_entries', 'shelf="answers"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'smp_insights_cache_bytes', 'shelf="answers"')).toBeGreaterThan(0);
    expect(
      sample(text, 'smp_insights_http_request_duration_seconds_count', 'method="GET",route="/v1/stats/pigments",status="200"'),
    ).toBeGreaterThanOrEqual(2);
  });
});
