import { Logger } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import type { Kafka } from 'kafkajs';
import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CommonConfig } from '@smp/config';
import { createKafka, FETCH_MAX_WAIT_MS, readEvent } from '@smp/messaging';
import { dataSourceOptions } from '@smp/persistence';
import { Inbox, LIVE_SCHEMA, READ_MODEL_LOCK, createProjections, lacksCaseCounting, notifyReadModelsChanged } from '@smp/read-models';

const SHADOW_SCHEMA = 'projector_rebuild';
/** Tables that are not a replay of the topics: their rows are carried over into the rebuilt schema at the swap. */
const CARRIED_OVER = ['signal_state', 'signal_outbox'];

type Positions = Map<string, bigint>; // `${topic}/${partition}` → next offset to read

/**
 * `rebuild`: replays every projected topic from the beginning into fresh
 * tables beside the live ones, then swaps the schemas in one transaction, so
 * no query ever sees half-built figures. The live projector may keep running:
 * the swap waits for its batch in flight, the rebuild then reads up to the
 * very end, and the inbox of the rebuilt tables absorbs whatever it replays.
 *
 * Side effects recorded before report counts (lacksCaseCounting) do not say whether they count their case across
 * categories: the projection counts their cases from the stored states as it applies them (recountCases), as the live
 * projector does; the rebuild says how many it met.
 */
@Command({ name: 'rebuild', description: 'replay the topics into fresh read-model tables and swap them in atomically' })
export class RebuildCommand extends CommandRunner {
  constructor(private readonly config: CommonConfig) {
    super();
  }

  async run(): Promise<void> {
    const db = new DataSource(dataSourceOptions(this.config.DATABASE_URL, null, { poolSize: 4, applicationName: 'cli-rebuild' }));
    await db.initialize();
    const kafka = createKafka(this.config.kafkaBrokers, `${this.config.KAFKA_CLIENT_ID}-rebuild`, new Logger('Kafka'));
    const inbox = new Inbox(db, SHADOW_SCHEMA);
    const projections = createProjections();
    const byTopic = new Map(projections.map((projection) => [projection.topic, projection]));
    const groupId = `smp-projector-rebuild-${Date.now()}`;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
    try {
      await db.query(`DROP SCHEMA IF EXISTS ${SHADOW_SCHEMA} CASCADE`);
      await db.query(`CREATE SCHEMA ${SHADOW_SCHEMA}`);
      const tables: Array<{ table_name: string }> = await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
        [LIVE_SCHEMA],
      );
      for (const { table_name: table } of tables) {
        await db.query(`CREATE TABLE ${SHADOW_SCHEMA}.${table} (LIKE ${LIVE_SCHEMA}.${table} INCLUDING ALL)`);
      }

      const positions: Positions = new Map();
      const bar = new SingleBar({
        format: 'rebuild [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | {eta_formatted} left',
        etaBuffer: 200,
      });
      const startedAt = Date.now();
      let read = 0;
      let uncounted = 0;
      const target = await this.watermarks(kafka, [...byTopic.keys()]);
      bar.start(Math.max(1, this.remaining(target, positions)), 0, { rate: 0 });

      await consumer.connect();
      await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          const projection = byTopic.get(batch.topic)!;
          // Poison messages are already in the dead-letter topic from the live projector; a rebuild skips them.
          const events = batch.messages.flatMap((message) => {
            const result = readEvent(message, projection.types, projection.contract);
            return result.ok ? [{ id: result.id, type: result.type, data: result.data }] : [];
          });
          await inbox.apply(projection, events);
          for (const { type, data } of events) if (lacksCaseCounting(type, data)) uncounted++;
          resolveOffset(batch.lastOffset());
          positions.set(`${batch.topic}/${batch.partition}`, BigInt(batch.lastOffset()) + 1n);
          read += batch.messages.length;
          bar.update(read, { rate: Math.round(read / Math.max(0.001, (Date.now() - startedAt) / 1000)) });
          await heartbeat();
        },
      });
      await this.reach(target, positions);

      // Swap: hold the lock every live batch takes shared, read to the very end, rename the schemas.
      const swap = db.createQueryRunner();
      await swap.connect();
      try {
        await swap.startTransaction();
        await swap.query(`SELECT pg_advisory_xact_lock($1)`, [READ_MODEL_LOCK]);
        const end = await this.watermarks(kafka, [...byTopic.keys()]);
        bar.setTotal(Math.max(read, read + this.remaining(end, positions)));
        await this.reach(end, positions);
        for (const table of CARRIED_OVER) await swap.query(`INSERT INTO ${SHADOW_SCHEMA}.${table} SELECT * FROM ${LIVE_SCHEMA}.${table}`);
        const retired = `projector_retired_${Date.now()}`;
        await swap.query(`ALTER SCHEMA ${LIVE_SCHEMA} RENAME TO ${retired}`);
        await swap.query(`ALTER SCHEMA ${SHADOW_SCHEMA} RENAME TO ${LIVE_SCHEMA}`);
        await notifyReadModelsChanged(swap.manager);
        await swap.commitTransaction();
        await db.query(`DROP SCHEMA ${retired} CASCADE`);
      } catch (error) {
        await swap.rollbackTransaction().catch(() => undefined);
        throw error;
      } finally {
        await swap.release();
      }
      bar.update(read);
      bar.stop();
      if (uncounted > 0)
        console.log(
          `rebuild: ${uncounted} side effects recorded before report counts (no countsCase); their cases were counted across categories from the stored states`,
        );
      console.log(
        `rebuild: ${read} events replayed in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; the rebuilt read models are live`,
      );
    } finally {
      await consumer.disconnect().catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await db.query(`DROP SCHEMA IF EXISTS ${SHADOW_SCHEMA} CASCADE`).catch(() => undefined);
      await db.destroy();
    }
  }

  private async watermarks(kafka: Kafka, topics: string[]): Promise<Positions> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const positions: Positions = new Map();
      for (const topic of topics) {
        for (const partition of await admin.fetchTopicOffsets(topic)) {
          // An empty partition has nothing to replay.
          if (BigInt(partition.high) > BigInt(partition.low)) positions.set(`${topic}/${partition.partition}`, BigInt(partition.high));
        }
      }
      return positions;
    } finally {
      await admin.disconnect();
    }
  }

  private remaining(target: Positions, positions: Positions): number {
    let total = 0n;
    for (const [key, high] of target) total += high - (positions.get(key) ?? 0n) > 0n ? high - (positions.get(key) ?? 0n) : 0n;
    return Number(total);
  }

  /** Resolves once every partition has been read up to `target` (empty partitions are there already). */
  private async reach(target: Positions, positions: Positions, timeoutMs = 600_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = [...target].filter(([key, high]) => high > 0n && (positions.get(key) ?? 0n) < high);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`rebuild did not reach the end of ${behind.map(([key]) => key).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
