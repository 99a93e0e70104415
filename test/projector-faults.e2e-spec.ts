import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { TOPICS } from '@smp/contracts';
import { ensureKafka } from '../scripts/lib/kafka.mjs';
import { runCli } from './support/cli.js';
import { eventually, testEnvironment, testKafka, unique } from './support/environment.js';
import { expectLedgerInDatabase, expectVerified, printFigureTotals, recordFigures, scaled, Workload } from './support/load.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * The read models stay exact whatever fails, under a steady stream of
 * reports, follow-ups, nullifications and procedures: the projector killed
 * mid-batch, Kafka redelivering what was applied, two instances sharing the
 * work, the broker killed, intake killed between its commit and Kafka's
 * acknowledgement, a rebuild. `verify` (the CLI) is the oracle for the read
 * models; the workload's ledger of 201s is the oracle for the source tables.
 */
describe('exact read models under failure', () => {
  const SPEC = 'projector-faults';
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };
  let pigmentId: string;
  let workload: Workload;
  let db: pg.Client;

  beforeAll(async () => {
    system = await startSystem(13800);
    clinic = await registerClinic(system);
    pigmentId = (
      await call(`${system.intake}/v1/pigments`, {
        key: system.adminKey,
        body: { manufacturer: 'M', product: 'P', batch: unique('batch') },
      })
    ).body.pigmentId;
    workload = new Workload(system, clinic, pigmentId);
    db = new pg.Client({ connectionString: testEnvironment().databaseUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    printFigureTotals();
  });

  /** Runs `scenario` and records its figures: what the workload saw meanwhile, and what verify found. */
  async function scenario(name: string, faults: number, run: () => Promise<void>): Promise<void> {
    const before = { accepted: workload.ledger.accepted, rejected: workload.ledger.rejected };
    await run();
    expect(workload.ledger.unexpected).toEqual([]);
    const { doubleCounted } = await expectVerified();
    recordFigures(SPEC, name, {
      scenarios: 1,
      faults,
      accepted: workload.ledger.accepted - before.accepted,
      rejected: workload.ledger.rejected - before.rejected,
      doubleCounted,
    });
  }

  const metric = async (base: string, name: string, topic: string = TOPICS.sideEffects) =>
    Number(
      new RegExp(`${name}\\{topic="${topic.replace(/\./g, '\\.')}"\\} (\\d+)`).exec(await (await fetch(`${base}/metrics`)).text())?.[1] ??
        0,
    );

  it('stays exact when the projector is killed with kill -9 mid-batch, five times in a row', async () => {
    const kills = scaled(5, 25);
    await scenario('projector kill -9 mid-batch', kills, async () => {
      workload.start();
      for (let kill = 0; kill < kills; kill++) {
        // Mid-batch: the new instance has started applying the stream when it dies.
        const base = system.projector;
        await eventually(
          async () => ((await metric(base, 'smp_projector_events_applied_total')) > 0 ? true : undefined),
          60_000,
          'a batch',
        );
        process.kill(system.apps.projector.pid, 'SIGKILL');
        await system.restart('projector');
      }
      await workload.stop();
    });
  }, 300_000);

  it('stays exact when killed while catching up on a backlog read ahead in small batches', async () => {
    const kills = scaled(2, 10);
    await scenario('projector kill -9 while reading a backlog ahead', kills, async () => {
      await system.apps.projector.stop();
      await workload.run(scaled(400, 1_500));
      // The smallest fetches the projector accepts: each partition's backlog comes as several batches, read ahead of
      // Postgres and committed in order (a batch's offset only once it and every earlier one of its partition are applied).
      const smallBatches = { PROJECTOR_MAX_BYTES_PER_PARTITION: '65536', PROJECTOR_MAX_BYTES: '65536' };
      for (let kill = 0; kill < kills; kill++) {
        // Each restart after the first gets a backlog of its own: the one before may have applied all that was left
        // between two looks at its counter, and a projector with nothing to apply never shows one applied.
        if (kill > 0) await workload.run(scaled(100, 300));
        await system.restart('projector', smallBatches);
        await eventually(
          async () => ((await metric(system.projector, 'smp_projector_events_applied_total')) > 0 ? true : undefined),
          60_000,
          'a batch of the backlog',
        );
        process.kill(system.apps.projector.pid, 'SIGKILL');
      }
      await system.restart('projector');
    });
  }, 300_000);

  it('stays exact when Kafka redelivers from an earlier position and from the beginning', async () => {
    await scenario('offsets reset to an earlier position, then to the beginning', 2, async () => {
      await workload.run(20);
      await expectVerified();
      const admin = testKafka(unique('reset')).admin();
      await admin.connect();
      try {
        for (const reset of ['earlier', 'earliest'] as const) {
          await system.apps.projector.stop();
          for (const topic of [TOPICS.sideEffects, TOPICS.procedures]) {
            if (reset === 'earliest') {
              await admin.resetOffsets({ groupId: 'smp-projector', topic, earliest: true });
              continue;
            }
            // Half-way back on every partition: the second half of each is delivered again.
            const [committed] = await admin.fetchOffsets({ groupId: 'smp-projector', topics: [topic] });
            const partitions = committed.partitions.map(({ partition, offset }) => ({
              partition,
              offset: String(Math.floor(Math.max(0, Number(offset)) / 2)),
            }));
            await admin.setOffsets({ groupId: 'smp-projector', topic, partitions });
          }
          await system.restart('projector');
          const redelivered = await eventually(
            async () => ((await metric(system.projector, 'smp_projector_events_redelivered_total')) > 0 ? true : undefined),
            60_000,
            `redelivered events after the ${reset} reset`,
          );
          expect(redelivered).toBe(true);
          await workload.run(10); // and new reports keep counting
          await expectVerified();
        }
      } finally {
        await admin.disconnect();
      }
    });
  }, 240_000);

  it('splits the partitions between two instances in one group and still gives exact totals', async () => {
    await scenario('two projector instances in one group', 0, async () => {
      const second = await system.startAnother('projector', 13890);
      await workload.run(60);
      await expectVerified();
      expect(
        await metric(`http://127.0.0.1:${13890 + Number(process.env.SMP_TEST_PORT_OFFSET ?? 0)}`, 'smp_projector_events_applied_total'),
      ).toBeGreaterThan(0);
      expect(await metric(system.projector, 'smp_projector_events_applied_total')).toBeGreaterThan(0);
      await second.stop();
    });
  }, 180_000);

  const kafkaDataDir = process.env.SMP_TEST_KAFKA_DATA_DIR;
  (kafkaDataDir ? it : it.skip)(
    'keeps accepting reports while the broker is killed with kill -9, and catches up after its restart',
    async () => {
      await scenario('kafka broker kill -9 under load', 1, async () => {
        const port = Number(testEnvironment().kafkaBrokers.split(':')[1]);
        const pid = Number(readFileSync(path.join(kafkaDataDir!, 'broker.pid'), 'utf8'));
        workload.start();
        const acceptedBefore = workload.ledger.accepted;
        process.kill(pid, 'SIGKILL');
        // The outbox holds the events: intake does not need Kafka to answer 201.
        await eventually(
          async () => (workload.ledger.accepted - acceptedBefore >= scaled(40, 400) ? true : undefined),
          120_000,
          'reports without Kafka',
        );
        const pending = Number((await db.query('SELECT count(*) FROM intake.outbox')).rows[0].count);
        expect(pending).toBeGreaterThan(0);
        await ensureKafka({ dataDir: kafkaDataDir!, port, controllerPort: port + 1, log: () => undefined });
        await workload.stop();
        await eventually(
          async () => (Number((await db.query('SELECT count(*) FROM intake.outbox')).rows[0].count) === 0 ? true : undefined),
          90_000,
          'the relay to catch up',
        );
      });
    },
    240_000,
  );

  it('publishes what intake committed before it was killed, after its restart, and counts it once', async () => {
    // The relay holds this advisory lock while it publishes a batch and deletes its rows (apps/intake/src/outbox).
    const relayLock = `hashtext('intake.outbox-relay')`;
    const outboxIds = async () =>
      (await db.query('SELECT event_id FROM intake.outbox ORDER BY id')).rows.map((row) => row.event_id as string);
    await scenario('intake kill -9 between commit and Kafka acknowledgement', 2, async () => {
      // 1. Committed, not yet sent: the relay is held off, reports are accepted, intake dies.
      await db.query(`SELECT pg_advisory_lock(${relayLock})`);
      await workload.run(10);
      const unsent = await outboxIds();
      expect(unsent.length).toBeGreaterThan(0);
      process.kill(system.apps.intake.pid, 'SIGKILL');
      await db.query(`SELECT pg_advisory_unlock(${relayLock})`);
      await system.restart('intake');
      await eventually(async () => ((await outboxIds()).length === 0 ? true : undefined), 60_000, 'the restarted relay');
      await expectVerified();

      // 2. Sent and acknowledged, delete not committed: the relay's DELETE waits on rows this test locked; intake dies there.
      await db.query(`SELECT pg_advisory_lock(${relayLock})`);
      await workload.run(10);
      await db.query('BEGIN');
      const acknowledged = (await db.query('SELECT event_id FROM intake.outbox ORDER BY id FOR UPDATE')).rows.map(
        (row) => row.event_id as string,
      );
      expect(acknowledged.length).toBeGreaterThan(0);
      await db.query(`SELECT pg_advisory_unlock(${relayLock})`);
      const blocked = await eventually(
        async () =>
          (
            await testDb().query(
              `SELECT pid FROM pg_stat_activity WHERE application_name = 'intake' AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM intake.outbox%'`,
            )
          ).rows[0]?.pid as number | undefined,
        30_000,
        "the relay's delete after Kafka acknowledged",
      );
      process.kill(system.apps.intake.pid, 'SIGKILL');
      // The server would notice the dead client on its own; this makes it happen now. The delete never commits.
      await testDb().query('SELECT pg_terminate_backend($1)', [blocked]);
      await db.query('ROLLBACK');
      expect((await outboxIds()).sort()).toEqual([...acknowledged].sort());
      await system.restart('intake');
      await eventually(async () => ((await outboxIds()).length === 0 ? true : undefined), 60_000, 'the restarted relay');

      // Every one of those events is on its topic twice (once per relay life) and counted once (verify, in scenario()).
      const seen = await countOnTopics(new Set(acknowledged), 2);
      expect([...seen.values()].every((times) => times === 2)).toBe(true);
      expect(seen.size).toBe(acknowledged.length);
    });
  }, 240_000);

  it('rebuilds the read models from the topics and swaps them in while reports keep coming', async () => {
    await scenario('rebuild under load', 0, async () => {
      const before = await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: system.adminKey });
      const running = workload.run(30);
      const { code, output } = await runCli('rebuild');
      expect(output).toContain('the rebuilt read models are live');
      expect(code).toBe(0);
      await running;
      await expectVerified();
      const after = await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: system.adminKey });
      const total = (body: { rows: Array<{ reports: number }> }) => body.rows.reduce((sum, row) => sum + row.reports, 0);
      expect(total(after.body)).toBeGreaterThan(total(before.body));
    });
  }, 240_000);

  it('has every accepted case, follow-up, nullification and procedure in the source tables exactly once, and nothing else', async () => {
    const { lost } = await expectLedgerInDatabase(clinic.clinicId, workload.ledger);
    expect(workload.ledger.cases.size).toBeGreaterThan(100);
    recordFigures(SPEC, 'ledger against the source tables', { lost });
  });

  let pool: pg.Pool | undefined;
  /** A second connection: `db` may be inside the transaction that holds the rows. */
  function testDb(): pg.Pool {
    pool ??= new pg.Pool({ connectionString: testEnvironment().databaseUrl, max: 1 });
    return pool;
  }
  afterAll(() => pool?.end());

  /** How many times each of `eventIds` is on the event topics, read from the beginning until each was seen `times` times. */
  async function countOnTopics(eventIds: Set<string>, times: number): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    const consumer = testKafka(unique('duplicates')).consumer({ groupId: unique('duplicates') });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.sideEffects, TOPICS.reports, TOPICS.procedures], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.ce_id?.toString();
        if (id && eventIds.has(id)) seen.set(id, (seen.get(id) ?? 0) + 1);
      },
    });
    try {
      await eventually(
        async () => (seen.size === eventIds.size && [...seen.values()].every((count) => count >= times) ? true : undefined),
        30_000,
        'every event twice on its topic',
      );
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }
});
