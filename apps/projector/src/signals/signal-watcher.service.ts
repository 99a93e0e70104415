import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { DataSource, type EntityManager } from 'typeorm';
import { SIGNAL_CLEARED_V1, SIGNAL_RAISED_V1, TOPICS, type SignalChangedV1, type SignalMethod } from '@smp/contracts';
import { KAFKA, toKafkaMessage } from '@smp/messaging';
import { pigmentSignals, type PigmentSignal } from '@smp/read-models';
import { ProjectorConfig } from '../projector.config.js';

/** One evaluator at a time across projector instances. */
const SIGNAL_LOCK = 736_251_002;
const SOURCE = '/smp-vigil/projector';

interface Transition {
  type: typeof SIGNAL_RAISED_V1 | typeof SIGNAL_CLEARED_V1;
  data: SignalChangedV1;
}

/**
 * Watches the disproportionality of every pigment batch × category (all
 * procedure months) and publishes `smp.signals.v1`: raised when a pair first
 * meets a criterion (Evans, ROR or IC), cleared when it meets none any more.
 * The new state and the events are written in one transaction (an outbox),
 * then published and deleted, so a crash between the two neither loses an
 * event nor publishes one twice under two ids.
 */
@Injectable()
export class SignalWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SignalWatcher.name);
  private readonly producer: Producer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: DataSource,
    @Inject(KAFKA) kafka: Kafka,
    private readonly config: ProjectorConfig,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.config.SIGNAL_EVALUATION_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.producer.disconnect();
  }

  /** Evaluates and publishes; exposed for tests and the CLI. */
  async tick(): Promise<void> {
    try {
      await this.evaluate();
      await this.publish();
    } catch (error) {
      this.logger.warn(`signal evaluation failed, will retry: ${(error as Error).message}`);
    }
  }

  private async evaluate(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [{ locked }] = await tx.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [SIGNAL_LOCK]);
      if (!locked) return;
      const signals = await pigmentSignals(tx);
      const prior: Array<{ pigment_id: string; category: string; methods: string[] }> = await tx.query(
        `SELECT pigment_id, category, methods FROM projector.signal_state`,
      );
      const transitions = diff(signals, new Map(prior.map((row) => [`${row.pigment_id}\u0000${row.category}`, row.methods])));
      if (transitions.length === 0) return;
      await this.record(tx, transitions);
      this.logger.log(
        `${transitions.length} signal(s) changed: ${transitions.map((t) => `${t.data.pigmentId}/${t.data.category} ${t.type.split('.')[3]}`).join(', ')}`,
      );
    });
  }

  private async record(tx: EntityManager, transitions: readonly Transition[]): Promise<void> {
    for (const { type, data } of transitions) {
      if (type === SIGNAL_RAISED_V1) {
        await tx.query(
          `INSERT INTO projector.signal_state (pigment_id, category, methods, raised_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (pigment_id, category) DO UPDATE SET methods = excluded.methods`,
          [data.pigmentId, data.category, data.methods],
        );
      } else {
        await tx.query(`DELETE FROM projector.signal_state WHERE pigment_id = $1 AND category = $2`, [data.pigmentId, data.category]);
      }
      await tx.query(`INSERT INTO projector.signal_outbox (event_id, pigment_id, event_type, data) VALUES ($1, $2, $3, $4)`, [
        randomUUID(),
        data.pigmentId,
        type,
        JSON.stringify(data),
      ]);
    }
  }

  /** Sends what the outbox holds, oldest first, and deletes it once Kafka acknowledged it. */
  private async publish(): Promise<void> {
    await this.db.transaction(async (tx) => {
      const rows: Array<{ id: string; event_id: string; pigment_id: string; event_type: string; data: SignalChangedV1 }> = await tx.query(
        `SELECT id, event_id, pigment_id, event_type, data FROM projector.signal_outbox ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`,
      );
      if (rows.length === 0) return;
      await this.producer.send({
        topic: TOPICS.signals,
        acks: -1,
        messages: rows.map((row) => {
          const message = toKafkaMessage({
            id: row.event_id,
            type: row.event_type,
            subject: row.pigment_id,
            key: row.pigment_id,
            time: new Date(row.data.evaluatedAt),
            data: row.data,
          });
          return { ...message, headers: { ...message.headers, ce_source: SOURCE } };
        }),
      });
      await tx.query(`DELETE FROM projector.signal_outbox WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
    });
  }
}

/** Raised for pairs that meet a criterion now and did not; cleared for pairs that did and meet none now. */
export function diff(signals: readonly PigmentSignal[], prior: ReadonlyMap<string, readonly string[]>): Transition[] {
  const evaluatedAt = new Date().toISOString();
  const now = new Map(signals.filter((row) => row.methods.length > 0).map((row) => [`${row.subject}\u0000${row.category}`, row]));
  const all = new Map(signals.map((row) => [`${row.subject}\u0000${row.category}`, row]));
  const transitions: Transition[] = [];
  const event = (key: string, methods: SignalMethod[]): SignalChangedV1 => {
    const [pigmentId, category] = key.split('\u0000') as [string, SignalChangedV1['category']];
    const row = all.get(key);
    return {
      pigmentId,
      category,
      methods,
      a: row?.a ?? 0,
      b: row?.b ?? 0,
      c: row?.c ?? 0,
      d: row?.d ?? 0,
      ...(row?.prr ? { prr: row.prr.estimate } : {}),
      ...(row?.ror ? { ror: row.ror.estimate } : {}),
      ...(row ? { ic025: row.ic.lower } : {}),
      evaluatedAt,
    };
  };
  for (const [key, row] of now) if (!prior.has(key)) transitions.push({ type: SIGNAL_RAISED_V1, data: event(key, row.methods) });
  for (const key of prior.keys()) if (!now.has(key)) transitions.push({ type: SIGNAL_CLEARED_V1, data: event(key, []) });
  return transitions;
}
