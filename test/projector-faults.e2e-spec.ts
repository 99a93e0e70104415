import path from 'node:path';
import { TOPICS } from '@smp/contracts';
import { ensureKafka } from '../scripts/lib/kafka.mjs';
import { runCli } from './support/cli.js';
import { testKafka, unique } from './support/environment.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * The read models stay exact whatever fails: the projector killed mid-batch,
 * Kafka redelivering what was applied, two instances sharing the work, the
 * broker killed under load. `verify` (the CLI) is the oracle: it recomputes
 * every aggregate from the intake's source tables.
 */
describe('exact read models under failure', () => {
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };
  let pigmentId: string;
  const accepted: string[] = [];

  beforeAll(async () => {
    system = await startSystem(13800);
    clinic = await registerClinic(system);
    pigmentId = (
      await call(`${system.intake}/v1/pigments`, {
        key: system.adminKey,
        body: { manufacturer: 'M', product: 'P', batch: unique('batch') },
      })
    ).body.pigmentId;
  }, 120_000);

  afterAll(() => system?.stop());

  const categories = ['infection', 'inflammation', 'discoloration', 'pigment_migration', 'scarring', 'allergic_reaction', 'other'];

  /** A steady stream of reports, follow-ups and procedures; resolves with how many reports got a 201. */
  async function load(reports: number): Promise<number> {
    let created = 0;
    const failures: string[] = [];
    for (let i = 0; i < reports; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, reports - i) }, async (_, j) => {
          const n = i + j;
          const response = await call(`${system.intake}/v1/reports`, {
            key: clinic.key,
            body: {
              clinicId: clinic.clinicId,
              pigmentId,
              procedureDate: `2026-0${1 + (n % 6)}-1${n % 9}`,
              reporter: { type: 'clinic' },
              effects: [
                { category: categories[n % 7], onsetDate: `2026-0${1 + (n % 6)}-2${n % 9}`, severity: 'mild' },
                { category: categories[(n + 3) % 7], onsetDate: `2026-0${1 + (n % 6)}-2${n % 9}`, severity: 'moderate' },
              ],
            },
          });
          if (response.status !== 201) {
            failures.push(`${response.status} ${JSON.stringify(response.body)}`);
            return;
          }
          created++;
          accepted.push(response.body.caseId);
          if (n % 4 === 0) {
            await call(`${system.intake}/v1/reports/${response.body.caseId}/follow-ups`, {
              key: clinic.key,
              body: { withdrawCategories: [categories[n % 7]] },
            });
          }
          if (n % 9 === 0)
            await call(`${system.intake}/v1/reports/${response.body.caseId}/nullification`, {
              key: clinic.key,
              body: { reason: 'erroneous' },
            });
          if (n % 5 === 0) {
            await call(`${system.intake}/v1/clinics/${clinic.clinicId}/procedures`, {
              key: clinic.key,
              body: { procedures: [{ date: '2026-03-01', pigmentId, count: 1 + (n % 3) }] },
            });
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    return created;
  }

  async function expectExact(): Promise<void> {
    const { code, output } = await runCli('verify', '--wait-seconds', '60');
    expect(output).toContain('verify: 0 differences');
    expect(code).toBe(0);
  }

  it('stays exact when the projector is killed with kill -9 mid-batch, five times in a row', async () => {
    const running = load(150);
    for (let kill = 0; kill < 5; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 400 + 300 * kill));
      process.kill(system.apps.projector.pid, 'SIGKILL');
      await system.restart('projector');
    }
    expect(await running).toBe(150);
    await expectExact();
  }, 240_000);

  it('stays exact when Kafka redelivers everything (offsets reset to the beginning)', async () => {
    await load(20);
    await expectExact();
    await system.apps.projector.stop();
    const admin = testKafka(unique('reset')).admin();
    await admin.connect();
    try {
      for (const topic of [TOPICS.sideEffects, TOPICS.procedures])
        await admin.resetOffsets({ groupId: 'smp-projector', topic, earliest: true });
    } finally {
      await admin.disconnect();
    }
    await system.restart('projector');
    await expectExact();
    const metrics = await (await fetch(`${system.projector}/metrics`)).text();
    const redelivered = Number(/smp_projector_events_redelivered_total\{topic="smp\.side-effects\.v1"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(redelivered).toBeGreaterThan(0);
  }, 180_000);

  it('splits the partitions between two instances in one group and still gives exact totals', async () => {
    const second = await system.startAnother('projector', 13890);
    await load(60);
    await expectExact();
    const applied = async (base: string) =>
      Number(
        /smp_projector_events_applied_total\{topic="smp\.side-effects\.v1"\} (\d+)/.exec(
          await (await fetch(`${base}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    expect(await applied('http://127.0.0.1:13890')).toBeGreaterThan(0);
    expect(await applied(system.projector)).toBeGreaterThan(0);
    await second.stop();
  }, 180_000);

  const kafkaDataDir = process.env.SMP_TEST_KAFKA_DATA_DIR;
  (kafkaDataDir ? it : it.skip)(
    'keeps accepting reports while the broker is killed with kill -9, and catches up after its restart',
    async () => {
      const brokers = process.env.KAFKA_BROKERS!;
      const port = Number(brokers.split(':')[1]);
      const { readFileSync } = await import('node:fs');
      const pid = Number(readFileSync(path.join(kafkaDataDir!, 'broker.pid'), 'utf8'));
      const before = accepted.length;
      process.kill(pid, 'SIGKILL');
      expect(await load(30)).toBe(30); // the outbox holds the events; intake does not need Kafka to answer
      await ensureKafka({ dataDir: kafkaDataDir!, port, controllerPort: port + 1, log: () => undefined });
      await expectExact();
      expect(accepted.length - before).toBe(30);
    },
    180_000,
  );

  it('rebuilds the read models from the topics and swaps them in while reports keep coming', async () => {
    const before = await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: system.adminKey });
    const running = load(30);
    const { code, output } = await runCli('rebuild');
    expect(output).toContain('the rebuilt read models are live');
    expect(code).toBe(0);
    expect(await running).toBe(30);
    await expectExact();
    const after = await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: system.adminKey });
    const total = (body: { rows: Array<{ reports: number }> }) => body.rows.reduce((sum, row) => sum + row.reports, 0);
    expect(total(after.body)).toBeGreaterThan(total(before.body));
  }, 240_000);

  it('has every accepted case in the source tables, exactly once', async () => {
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT case_id FROM intake.cases WHERE clinic_id = $1 ORDER BY case_id', [clinic.clinicId]);
      expect(rows.map((row: { case_id: string }) => row.case_id)).toEqual([...accepted].sort());
    } finally {
      await db.end();
    }
  });
});
