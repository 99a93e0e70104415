import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the projector, served at /metrics. */
@Injectable()
export class ProjectorMetrics {
  readonly registry = new Registry();
  readonly applied = new Counter({
    name: 'smp_projector_events_applied_total',
    help: 'Events applied to the read models (new, not redelivered)',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly redelivered = new Counter({
    name: 'smp_projector_events_redelivered_total',
    help: 'Events skipped because the inbox had already applied them',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'smp_projector_dead_letters_total',
    help: 'Events sent to the dead-letter topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'smp_projector_batch_seconds',
    help: 'Time to validate and apply one batch, in seconds',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'smp_projector_consumer_lag',
    help: 'Messages behind the high watermark, per partition',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'smp_projector_' });
  }
}
