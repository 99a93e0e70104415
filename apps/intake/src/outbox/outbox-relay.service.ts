import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import kafkajs, { type Kafka, type Producer, type TopicMessages } from 'kafkajs';
import { KAFKA, toKafkaMessage } from '@smp/messaging';
import { IntakeConfig } from '../intake.config.js';
import { OutboxMetrics } from './outbox.metrics.js';
import { OutboxWrittenEvent } from './outbox-written.event.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';

const BATCH = 500;
const MAX_BACKOFF_MS = 5_000;

/**
 * Publishes outbox rows to Kafka with an idempotent producer and deletes them
 * once Kafka has acknowledged them (acks from all in-sync replicas). It runs
 * when a report is committed and otherwise polls, so rows left by a crash or a
 * Kafka outage are sent as soon as Kafka is back.
 */
@Injectable()
@EventsHandler(OutboxWrittenEvent)
export class OutboxRelay implements IEventHandler<OutboxWrittenEvent>, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly producer: Producer;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly outbox: OutboxRepository,
    private readonly config: IntakeConfig,
    private readonly metrics: OutboxMetrics,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
  }

  handle(): void {
    this.pending = true;
    this.wake?.();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer.disconnect();
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        this.pending = false;
        const sent = await this.outbox.drain(BATCH, (rows) => this.publish(rows));
        backoff = 0;
        if (sent === BATCH || this.pending) continue;
        await this.sleep(this.config.RELAY_POLL_MS);
      } catch (error) {
        this.metrics.failures.inc();
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(100, backoff * 2));
        this.logger.warn(`outbox relay failed, retrying in ${backoff} ms: ${(error as Error).message}`);
        await this.sleep(backoff);
      }
    }
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const row of rows) {
      const entry = byTopic.get(row.topic) ?? { topic: row.topic, messages: [] };
      entry.messages.push(toKafkaMessage(row));
      byTopic.set(row.topic, entry);
    }
    await this.producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
    for (const { topic, messages } of byTopic.values()) this.metrics.published.inc({ topic }, messages.length);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
