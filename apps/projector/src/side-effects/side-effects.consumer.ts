import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import kafkajs, { type Batch, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { SIDE_EFFECT_RECORDED_V1, SIDE_EFFECT_RETRACTED_V1, SideEffectRecordedV1, TOPICS } from '@smp/contracts';
import { isTransientDatabaseError } from '@smp/http';
import { KAFKA, readEvent, sendDeadLetters, type DeadLetter } from '@smp/messaging';
import { ProjectorConfig } from '../projector.config.js';
import type { SideEffectChange } from './side-effect-projection.js';
import { SideEffectsStore, type ReceivedEvent } from './side-effects.store.js';

/**
 * Consumes `smp.side-effects.v1` in a consumer group. Each batch is validated,
 * poison messages go to the dead-letter topic, the rest are applied in one
 * database transaction, and only then is the offset committed. A crash at any
 * point replays the batch, and the inbox in the store makes the replay a no-op.
 */
@Injectable()
export class SideEffectsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SideEffectsConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private deadLettered = 0;
  private applied = 0;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly store: SideEffectsStore,
    private readonly config: ProjectorConfig,
  ) {
    this.consumer = kafka.consumer({ groupId: config.PROJECTOR_GROUP_ID, allowAutoTopicCreation: false });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
  }

  get stats() {
    return { applied: this.applied, deadLettered: this.deadLettered };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [TOPICS.sideEffects], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        await this.handle(batch, heartbeat);
        resolveOffset(batch.lastOffset());
        await this.consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() },
        ]);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handle(batch: Batch, heartbeat: () => Promise<void>): Promise<void> {
    const valid: Array<ReceivedEvent<SideEffectChange> & { offset: string }> = [];
    const poison: DeadLetter[] = [];
    for (const message of batch.messages) {
      const read = readEvent(message, [SIDE_EFFECT_RECORDED_V1, SIDE_EFFECT_RETRACTED_V1], SideEffectRecordedV1);
      if (read.ok) {
        valid.push({ id: read.id, data: { ...read.data, retracted: read.type === SIDE_EFFECT_RETRACTED_V1 }, offset: message.offset });
      } else poison.push({ topic: batch.topic, partition: batch.partition, message, reason: read.reason });
    }

    try {
      this.applied += await this.withRetries(() => this.store.apply(valid));
    } catch (error) {
      if (isTransientDatabaseError(error)) throw error; // not the events' fault: kafkajs retries the batch
      this.logger.warn(`batch at ${batch.topic}/${batch.partition}@${batch.firstOffset()} failed, applying one by one`);
      for (const event of valid) {
        try {
          this.applied += await this.withRetries(() => this.store.apply([event]));
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
      this.deadLettered += poison.length;
      for (const letter of poison) {
        this.logger.warn(`dead-lettered ${letter.topic}/${letter.partition}@${letter.message.offset}: ${letter.reason}`);
      }
    }
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
}
