import { Injectable } from '@nestjs/common';
import { AppMetrics } from '@smp/observability';
import { OutboxRepository } from './outbox.repository.js';

/**
 * The outbox as an operator watches it: events published per topic, relay failures, and what waits to be published
 * (read from the table when scraped). A backlog that grows, or an oldest event older than a few seconds, means the
 * reports are stored but Kafka is not getting them: the read side falls behind.
 */
@Injectable()
export class OutboxMetrics {
  readonly published;
  readonly failures;

  constructor(metrics: AppMetrics, outbox: OutboxRepository) {
    this.published = metrics.counter('outbox_published_total', {
      help: 'Events the relay published to Kafka (acknowledged by every in-sync replica), per topic',
      labelNames: ['topic'],
    });
    this.failures = metrics.counter('outbox_relay_failures_total', {
      help: 'Relay rounds that failed (Kafka or Postgres unreachable); their events stay in the outbox and are retried',
    });
    // A scrape calls every metric's collect in one pass (prom-client's Registry.metrics), so one query serves both gauges.
    let backlog: Promise<{ events: number; oldestSeconds: number }> | undefined;
    const read = () => (backlog ??= outbox.backlog().finally(() => (backlog = undefined)));
    metrics.gauge('outbox_backlog_events', {
      help: 'Events stored in the outbox, not yet published',
      async collect() {
        this.set((await read()).events);
      },
    });
    metrics.gauge('outbox_oldest_event_age_seconds', {
      help: 'Age of the oldest event not yet published, in seconds; 0 when none waits',
      async collect() {
        this.set((await read()).oldestSeconds);
      },
    });
  }
}
