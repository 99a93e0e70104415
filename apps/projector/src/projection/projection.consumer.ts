import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import kafkajs, { type Batch, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { GroupCommit, isTransientDatabaseError } from '@smp/persistence';
import { KAFKA, readEvent, sendDeadLetters, type DeadLetter } from '@smp/messaging';
import { Inbox, TOPIC_PROJECTIONS, type ProjectionBatch, type ReceivedEvent, type TopicProjection } from '@smp/read-models';
import { ProjectorConfig } from '../projector.config.js';
import { ProjectorMetrics } from './projector.metrics.js';

/** Batches of different partitions that arrive while a transaction is in flight are applied together, at most this many. */
const MAX_BATCHES_IN_ONE_TRANSACTION = 16;

/**
 * One consumer group over every projected topic. Each batch is validated,
 * poison messages go to `<topic>.dlq`, the rest are applied through the inbox
 * in a database transaction, and only then is the offset committed. A crash at
 * any point replays the batch, and the inbox makes the replay a no-op.
 *
 * The batches of the partitions consumed at once share transactions (group
 * commit, one transaction in flight): they would otherwise update the same
 * count cells one after another, each waiting on the other's row locks and
 * commit. One transaction at a time writes each cell once per group, while
 * Node decodes and validates the next batches.
 */
@Injectable()
export class ProjectionConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly byTopic: Map<string, TopicProjection>;
  private lagTimer: NodeJS.Timeout | undefined;
  private readonly groups: GroupCommit<ProjectionBatch, number>;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(TOPIC_PROJECTIONS) projections: TopicProjection[],
    private readonly inbox: Inbox,
    private readonly metrics: ProjectorMetrics,
    private readonly config: ProjectorConfig,
  ) {
    this.byTopic = new Map(projections.map((projection) => [projection.topic, projection]));
    this.groups = new GroupCommit({
      commit: (batches) => inbox.applyGroup(batches),
      alone: ({ projection, events }) => inbox.apply(projection, events),
      maxGroup: MAX_BATCHES_IN_ONE_TRANSACTION,
      inFlight: 2,
    });
    this.consumer = kafka.consumer({
      groupId: config.PROJECTOR_GROUP_ID,
      allowAutoTopicCreation: false,
      sessionTimeout: config.PROJECTOR_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.floor(config.PROJECTOR_SESSION_TIMEOUT_MS / 10),
      maxBytesPerPartition: config.PROJECTOR_MAX_BYTES_PER_PARTITION,
      maxBytes: config.PROJECTOR_MAX_BYTES,
    });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.byTopic.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are keyed by case (or clinic), so batches of different partitions never touch the same state rows:
      // they may share a transaction, and Node's validation of one batch overlaps Postgres's work on another.
      partitionsConsumedConcurrently: this.config.PROJECTOR_CONCURRENT_PARTITIONS,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const timer = this.metrics.batchSeconds.startTimer({ topic: batch.topic });
        await this.handle(batch, heartbeat);
        timer();
        resolveOffset(batch.lastOffset());
        await this.consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() },
        ]);
        this.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.offsetLag())));
      },
    });
    this.lagTimer = setInterval(() => void this.refreshLag(), 5_000).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.lagTimer);
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handle(batch: Batch, heartbeat: () => Promise<void>): Promise<void> {
    const projection = this.byTopic.get(batch.topic)!;
    const valid: Array<ReceivedEvent & { offset: string }> = [];
    const poison: DeadLetter[] = [];
    for (const message of batch.messages) {
      const read = readEvent(message, projection.types, projection.contract);
      if (read.ok) valid.push({ id: read.id, type: read.type, data: read.data, offset: message.offset });
      else poison.push({ topic: batch.topic, partition: batch.partition, message, reason: read.reason });
    }

    try {
      if (valid.length > 0) this.count(batch.topic, valid.length, await this.withRetries(() => this.groups.submit({ projection, events: valid })));
    } catch (error) {
      if (isTransientDatabaseError(error)) throw error; // not the events' fault: kafkajs retries the batch
      this.logger.warn(
        `batch ${batch.topic}/${batch.partition}@${batch.firstOffset()} failed (${(error as Error).message}); applying one by one`,
      );
      for (const event of valid) {
        try {
          this.count(batch.topic, 1, await this.withRetries(() => this.inbox.apply(projection, [event])));
        } catch (eventError) {
          if (isTransientDatabaseError(eventError)) throw eventError;
          const message = batch.messages.find((candidate) => candidate.offset === event.offset)!;
          poison.push({
            topic: batch.topic,
            partition: batch.partition,
            message,
            reason: `handling failed: ${(eventError as Error).message}`,
          });
        }
        await heartbeat();
      }
    }

    if (poison.length > 0) {
      await sendDeadLetters(this.producer, poison);
      this.metrics.deadLetters.inc({ topic: batch.topic }, poison.length);
      for (const letter of poison)
        this.logger.warn(`dead-lettered ${letter.topic}/${letter.partition}@${letter.message.offset}: ${letter.reason}`);
    }
  }

  private count(topic: string, received: number, applied: number): void {
    this.metrics.applied.inc({ topic }, applied);
    this.metrics.redelivered.inc({ topic }, received - applied);
  }

  private async withRetries<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (isTransientDatabaseError(error) || attempt >= this.config.PROJECTOR_MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** Lag of every partition against the group's committed offsets, for partitions with no recent batch too. */
  private async refreshLag(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      for (const topic of this.byTopic.keys()) {
        const [high, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: this.config.PROJECTOR_GROUP_ID, topics: [topic] }),
        ]);
        const done = new Map(committed[0]?.partitions.map((partition) => [partition.partition, Number(partition.offset)]) ?? []);
        for (const partition of high) {
          const position = done.get(partition.partition) ?? -1;
          const lag = Number(partition.high) - (position < 0 ? Number(partition.low) : position);
          this.metrics.lag.set({ topic, partition: String(partition.partition) }, Math.max(0, lag));
        }
      }
    } catch (error) {
      this.logger.debug(`lag refresh failed: ${(error as Error).message}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
