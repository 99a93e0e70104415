import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureKafka, stopKafka } from '../scripts/lib/kafka.mjs';
import { ensurePostgres, stopPostgres } from './support/private-postgres.js';
import { eventually, testEnvironment, unique } from './support/environment.js';
import { expectLedgerInDatabase, expectVerified, printFigureTotals, recordFigures, scaled, Workload } from './support/load.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * PostgreSQL stopped and started under load. The run's Postgres and broker
 * are shared by every spec, so this one brings its own of each (a private
 * database server to stop, and a broker whose topics carry only its events).
 * While the database is down, intake answers 503 problem details with
 * Retry-After, never a 500 and never a partial write; afterwards every app
 * reconnects by itself, with no restart.
 */
describe('PostgreSQL stopped and started under load', () => {
  const slot = Number(process.env.SMP_TEST_PORT_OFFSET ?? 0) / 1000;
  const root = path.join(path.dirname(testEnvironment().runDir), 'reliability-postgres');
  const postgresDir = path.join(root, 'postgres', 'data');
  const kafkaDir = path.join(root, 'kafka', 'data');
  const postgresPort = 5434 + 100 * slot + 60;
  const kafkaPort = 19092 + 100 * slot + 60;
  let databaseUrl: string;
  let kafkaBrokers: string;
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };
  let pigmentId: string;

  const startPostgres = async () =>
    (await ensurePostgres({ dataDir: postgresDir, port: postgresPort, database: 'smp_reliability', log: () => undefined })).url;

  beforeAll(async () => {
    await stopKafka({ dataDir: kafkaDir });
    await stopPostgres({ dataDir: postgresDir });
    rmSync(root, { recursive: true, force: true });
    databaseUrl = await startPostgres();
    kafkaBrokers = (await ensureKafka({ dataDir: kafkaDir, port: kafkaPort, controllerPort: kafkaPort + 1, log: () => undefined })).brokers;
    system = await startSystem(15100, { DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafkaBrokers });
    clinic = await registerClinic(system);
    pigmentId = (
      await call(`${system.intake}/v1/pigments`, {
        key: system.adminKey,
        body: { manufacturer: 'M', product: 'P', batch: unique('batch') },
      })
    ).body.pigmentId;
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await stopKafka({ dataDir: kafkaDir });
    await stopPostgres({ dataDir: postgresDir });
    rmSync(root, { recursive: true, force: true });
    printFigureTotals();
  }, 120_000);

  it('answers 503 problem details with Retry-After while it is down, loses nothing, and every app reconnects by itself', async () => {
    const workload = new Workload(system, clinic, pigmentId, { concurrency: 4, tolerate: (status) => status === 503 });
    const pids = Object.fromEntries(Object.values(system.apps).map((app) => [app.app, app.pid]));
    workload.start();
    await eventually(async () => (workload.ledger.accepted >= scaled(20, 200) ? true : undefined), 60_000, 'reports before the outage');

    await stopPostgres({ dataDir: postgresDir });
    const rejectedBefore = workload.ledger.rejected;
    await eventually(async () => (workload.ledger.rejected - rejectedBefore >= scaled(20, 200) ? true : undefined), 60_000, '503s');

    // Each kind of request, with and without a key, while the database is down.
    const body = {
      clinicId: clinic.clinicId,
      procedureDate: '2026-03-01',
      reporter: { type: 'client' },
      effects: [{ category: 'other', onsetDate: '2026-03-02', severity: 'mild' }],
    };
    const probes = [
      await call(`${system.intake}/v1/reports`, { body }),
      await call(`${system.intake}/v1/reports`, { body, key: clinic.key }),
      await call(`${system.intake}/v1/reports/${workload.ledger.caseIds[0]}/versions`, { key: system.adminKey }),
      await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: system.adminKey }),
      await call(`${system.intake}/health`),
    ];
    for (const probe of probes) {
      expect({ status: probe.status, type: probe.headers.get('content-type') }).toEqual({
        status: 503,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(Number(probe.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(probes[0].body).toMatchObject({ status: 503, title: 'Service temporarily unavailable' });

    await startPostgres();
    const acceptedAfterRestart = workload.ledger.accepted;
    await eventually(
      async () => (workload.ledger.accepted - acceptedAfterRestart >= scaled(20, 200) ? true : undefined),
      90_000,
      'reports accepted again after the restart',
    );
    await workload.stop();

    expect(workload.ledger.unexpected).toEqual([]); // every refusal was a 503 problem with Retry-After; no 500, no cut connection
    expect(workload.ledger.rejected - rejectedBefore).toBeGreaterThan(0);
    const { lost } = await expectLedgerInDatabase(clinic.clinicId, workload.ledger, databaseUrl);
    const { doubleCounted } = await expectVerified({ databaseUrl, kafkaBrokers });

    // Nobody restarted anything: the same processes answer again.
    expect(Object.fromEntries(Object.values(system.apps).map((app) => [app.app, app.exited() ? 'exited' : app.pid]))).toEqual(pids);
    for (const base of [system.intake, system.insights, system.projector]) expect((await call(`${base}/health`)).status).toBe(200);
    expect((await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: clinic.key })).status).toBe(200);

    recordFigures('reliability-postgres', 'postgres stopped and started', {
      scenarios: 1,
      faults: 1,
      accepted: workload.ledger.accepted,
      rejected: workload.ledger.rejected + probes.length,
      lost,
      doubleCounted,
    });
  }, 300_000);
});
