import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import kafkajs, { type Batch, type Consumer, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { GroupCommit, isTransientDatabaseError } from '@smp/persistence';
import { FETCH_MAX_WAIT_MS, KAFKA, readEvent, sendDeadLetters, type DeadLetter } from '@smp/messaging';
import {
  Inbox,
  TOPIC_PROJECTIONS,
  lacksCaseCounting,
  type ProjectionBatch,
  type ReceivedEvent,
  type TopicProjection,
} from '@smp/read-models';
import { ProjectorConfig } from '../projector.config.js';
import { ProjectorMetrics } from './projector.metrics.js';

/** Batches of different partitions that arrive while a transaction is in flight are applied together, at most this many. */
const MAX_BATCHES_IN_ONE_TRANSACTION = 16;
/** Partitions whose offsets are committed in one request, at most. */
const MAX_OFFSETS_IN_ONE_COMMIT = 256;
const MAX_TRANSIENT_BACKOFF_MS = 5_000;
const HEARTBEAT_WHILE_WAITING_MS = 1_000;

/** Where one partition's batches stand: the last one's commit, and a generation that a failure ends. */
interface PartitionProgress {
  tail: Promise<void>;
  generation: number;
}

/** All that is kept of a batch once its messages are read: where it stands in its partition. */
interface BatchPosition {
  topic: string;
  partition: number;
  key: string;
  first: string;
  last: string;
  lag: string;
}

/** A batch's messages, read: the events to apply, and the poison to dead-letter. */
interface ReadBatch {
  projection: TopicProjection;
  valid: Array<ReceivedEvent & { offset: string; message?: KafkaMessage }>;
  poison: DeadLetter[];
  /** Read again after its events failed together: each is applied alone, and each keeps its message for the dead-letter topic. */
  oneByOne: boolean;
  /** Side effects that do not say whether they count their case across categories (lacksCaseCounting). */
  uncounted: number;
}

/** A batch whose events failed together, and whose messages were not kept: it is read again, and then applied one by one. */
class ReadAgainOneByOne extends Error {}

/**
 * One consumer group over every projected topic. Each batch is validated,
 * poison messages go to `<topic>.dlq`, the rest are applied through the inbox
 * in a database transaction, and only then is the batch's offset committed. A
 * crash at any point replays what was not committed, and the inbox makes the
 * replay a no-op.
 *
 * Reading and applying overlap: a batch's offset is resolved as soon as it is
 * handed over, so kafkajs fetches and decodes the next batches while Postgres
 * writes this one; its offset is committed once it and every earlier batch of
 * its partition are applied. Batches waiting meanwhile share one transaction
 * (group commit, one in flight): each count cell is written once per group,
 * not once per batch with the batches waiting on each other's row locks. A
 * batch that cannot be applied (the dead-letter topic unreachable) rewinds its
 * partition to it, and nothing after it is committed.
 *
 * Nothing holds a batch's messages once they are read (only its events' data,
 * until they are applied): the read-ahead would otherwise keep thousands of
 * decoded messages alive for V8 to copy into its old generation. So a batch
 * whose events fail together (not for a transient reason) is read again, from
 * its first offset, and that time applied one event at a time, so that the
 * one that fails goes to the dead-letter topic as it was.
 */
@Injectable()
export class ProjectionConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly byTopic: Map<string, TopicProjection>;
  private lagTimer: NodeJS.Timeout | undefined;
  private readonly groups: GroupCommit<ProjectionBatch, number>;
  private readonly partitions = new Map<string, PartitionProgress>();
  /** Per partition, the last offset of a batch to be applied one event at a time when it is read again. */
  private readonly oneByOneUntil = new Map<string, bigint>();
  /**
   * Offset commits, gathered like the transactions: the batches applied while a commit is in flight have their offsets
   * committed in one request (a request per batch cost the broker and this process as much as the fetches).
   */
  private readonly commits: GroupCommit<BatchPosition, void>;
  private unapplied = 0;
  private readonly waitingForRoom: Array<() => void> = [];
  private stopping = false;
  private uncountedWarnedAt = -Infinity;

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
      inFlight: 1,
    });
    this.commits = new GroupCommit({
      commit: (batches) => this.commitOffsets(batches).then(() => batches.map(() => undefined)),
      alone: (batch) => this.commitOffsets([batch]),
      maxGroup: MAX_OFFSETS_IN_ONE_COMMIT,
      inFlight: 1,
    });
    this.consumer = kafka.consumer({
      groupId: config.PROJECTOR_GROUP_ID,
      allowAutoTopicCreation: false,
      sessionTimeout: config.PROJECTOR_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.floor(config.PROJECTOR_SESSION_TIMEOUT_MS / 10),
      maxBytesPerPartition: config.PROJECTOR_MAX_BYTES_PER_PARTITION,
      maxBytes: config.PROJECTOR_MAX_BYTES,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
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
      // they may share a transaction.
      partitionsConsumedConcurrently: this.config.PROJECTOR_CONCURRENT_PARTITIONS,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        void this.applyInOrder(batch);
        resolveOffset(batch.lastOffset());
        // Reading goes on while Postgres writes, up to PROJECTOR_MAX_UNAPPLIED_BATCHES read and not yet applied.
        while (this.unapplied >= this.config.PROJECTOR_MAX_UNAPPLIED_BATCHES) {
          const room = new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
          await Promise.race([room, new Promise((resolve) => setTimeout(resolve, HEARTBEAT_WHILE_WAITING_MS))]);
          await heartbeat();
        }
      },
    });
    this.lagTimer = setInterval(() => void this.refreshLag(), 5_000).unref();
  }

  /** Stops reading, lets the batches already read be applied and committed, then leaves. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.lagTimer);
    this.consumer.pause([...this.byTopic.keys()].map((topic) => ({ topic })));
    this.stopping = true;
    await Promise.allSettled([...this.partitions.values()].map((progress) => progress.tail));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /**
   * Applies a batch now (it joins the next group) and commits its offset once it and the earlier
   * batches of its partition are applied. Settles when that is done or given up; never rejects.
   */
  private applyInOrder(received: Batch): Promise<void> {
    const batch: BatchPosition = {
      topic: received.topic,
      partition: received.partition,
      key: `${received.topic}\u0000${received.partition}`,
      first: received.firstOffset()!,
      last: received.lastOffset(),
      lag: received.offsetLag(),
    };
    const read = this.read(batch, received.messages);
    const progress = this.partitions.get(batch.key) ?? { tail: Promise.resolve(), generation: 0 };
    this.partitions.set(batch.key, progress);
    const generation = progress.generation;
    const timer = this.metrics.batchSeconds.startTimer({ topic: batch.topic });
    this.unapplied++;
    const handled = this.handle(batch, read).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ReadAgainOneByOne) this.logger.warn(error.message);
        else if (!this.stopping)
          this.logger.error(`batch ${batch.topic}/${batch.partition}@${batch.first} not applied: ${(error as Error).message}`);
        return false;
      },
    );
    const tail = Promise.all([progress.tail, handled]).then(async ([, applied]) => {
      this.unapplied--;
      for (const resolve of this.waitingForRoom.splice(0)) resolve();
      timer();
      if (progress.generation !== generation) return; // an earlier batch failed: this one will be read again
      if (applied) return this.commits.submit(batch);
      progress.generation++;
      progress.tail = Promise.resolve();
      if (this.stopping) return;
      try {
        this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: batch.first });
      } catch (error) {
        // Not ours any more (a rebalance): its new owner reads on from the last commit.
        this.logger.warn(`cannot rewind ${batch.topic}/${batch.partition}: ${(error as Error).message}`);
      }
    });
    progress.tail = tail;
    return tail;
  }

  /**
   * Commits the offset after each of `batches`. They are of different partitions: a batch's commit is submitted only
   * once the commit of the batch before it in its partition is answered (see applyInOrder). Never rejects.
   */
  private async commitOffsets(batches: readonly BatchPosition[]): Promise<void> {
    try {
      await this.consumer.commitOffsets(
        batches.map((batch) => ({ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.last) + 1n).toString() })),
      );
      for (const batch of batches)
        this.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.lag)));
    } catch (error) {
      // A rebalance took a partition: its new owner starts from the last commit, and the inbox skips what is applied.
      const partitions = batches.map((batch) => `${batch.topic}/${batch.partition}`).join(', ');
      this.logger.debug(`offset commit of ${partitions} failed: ${(error as Error).message}`);
    }
  }

  /** Validates a batch's messages; the valid ones keep their message only when the batch is to be applied one by one. */
  private read(batch: BatchPosition, messages: readonly KafkaMessage[]): ReadBatch {
    const projection = this.byTopic.get(batch.topic)!;
    const until = this.oneByOneUntil.get(batch.key);
    const oneByOne = until !== undefined && BigInt(batch.first) <= until;
    if (oneByOne && BigInt(batch.last) >= until) this.oneByOneUntil.delete(batch.key);
    const valid: ReadBatch['valid'] = [];
    const poison: DeadLetter[] = [];
    let uncounted = 0;
    for (const message of messages) {
      const read = readEvent(message, projection.types, projection.contract);
      if (!read.ok) {
        poison.push({ topic: batch.topic, partition: batch.partition, message, reason: read.reason });
        continue;
      }
      if (oneByOne) valid.push({ id: read.id, type: read.type, data: read.data, offset: message.offset, message });
      else valid.push({ id: read.id, type: read.type, data: read.data, offset: message.offset });
      if (lacksCaseCounting(read.type, read.data)) uncounted++;
    }
    return { projection, valid, poison, oneByOne, uncounted };
  }

  private async handle(batch: BatchPosition, { projection, valid, poison, oneByOne, uncounted }: ReadBatch): Promise<void> {
    if (uncounted > 0) this.warnUncounted(batch, uncounted);
    try {
      if (valid.length > 0)
        this.count(
          batch.topic,
          valid.length,
          await this.withRetries(() => this.groups.submit({ projection, events: valid, partition: batch.partition })),
        );
    } catch (error) {
      if (isTransientDatabaseError(error)) throw error; // only while stopping: the batch is read again next time
      if (!oneByOne) {
        this.oneByOneUntil.set(batch.key, BigInt(batch.last));
        throw new ReadAgainOneByOne(
          `batch ${batch.topic}/${batch.partition}@${batch.first} failed (${(error as Error).message}); reading it again to apply its events one by one`,
        );
      }
      for (const event of valid) {
        try {
          this.count(batch.topic, 1, await this.withRetries(() => this.inbox.apply(projection, [event])));
        } catch (eventError) {
          if (isTransientDatabaseError(eventError)) throw eventError;
          poison.push({
            topic: batch.topic,
            partition: batch.partition,
            message: event.message!,
            reason: `handling failed: ${(eventError as Error).message}`,
          });
        }
      }
    }

    if (poison.length > 0) {
      await sendDeadLetters(this.producer, poison);
      this.metrics.deadLetters.inc({ topic: batch.topic }, poison.length);
      for (const letter of poison)
        this.logger.warn(`dead-lettered ${letter.topic}/${letter.partition}@${letter.message.offset}: ${letter.reason}`);
    }
  }

  /**
   * Side effects from an intake older than report counts (a rolling upgrade that left one running, say) do not say
   * whether they count their case across categories: the projection counts their cases from the stored states, one
   * statement more for each batch that has any (recountCases). Said once a minute at most, as a sign that such an intake
   * is still publishing; the metric counts them all.
   */
  private warnUncounted(batch: BatchPosition, uncounted: number): void {
    this.metrics.uncounted.inc({ topic: batch.topic }, uncounted);
    if (Date.now() - this.uncountedWarnedAt < 60_000) return;
    this.uncountedWarnedAt = Date.now();
    this.logger.warn(
      `${uncounted} side effects at ${batch.topic}/${batch.partition}@${batch.first} do not say whether they count their case ` +
        `(countsCase): an intake from before report counts is still publishing; their cases are counted across categories ` +
        `from the stored states (further ones: smp_projector_side_effects_without_case_counting_total)`,
    );
  }

  private count(topic: string, received: number, applied: number): void {
    this.metrics.applied.inc({ topic }, applied);
    this.metrics.redelivered.inc({ topic }, received - applied);
  }

  /**
   * Runs `work` until it succeeds: a transient database error (Postgres restarting or unreachable) is
   * waited out for as long as it lasts, unless the projector is stopping; any other error is retried
   * a bounded number of times and then thrown, for the events to be tried one by one.
   */
  private async withRetries<T>(work: () => Promise<T>): Promise<T> {
    let failures = 0;
    let backoff = 0;
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          if (this.stopping) throw error;
          backoff = Math.min(MAX_TRANSIENT_BACKOFF_MS, Math.max(100, backoff * 2));
          this.logger.warn(`Postgres unavailable (${(error as Error).message}); retrying in ${backoff} ms`);
          await new Promise((resolve) => setTimeout(resolve, backoff));
          continue;
        }
        if (++failures >= this.config.PROJECTOR_MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * failures));
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
