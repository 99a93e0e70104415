import { Injectable } from '@nestjs/common';
import { AppMetrics } from '@smp/observability';

/** The projector's own Prometheus metrics, served with the process's at /metrics (see MetricsModule). */
@Injectable()
export class ProjectorMetrics {
  readonly applied;
  readonly redelivered;
  readonly deadLetters;
  readonly batchSeconds;
  readonly lag;
  readonly uncounted;

  constructor(metrics: AppMetrics) {
    this.applied = metrics.counter('events_applied_total', {
      help: 'Events applied to the read models (new, not redelivered)',
      labelNames: ['topic'],
    });
    this.redelivered = metrics.counter('events_redelivered_total', {
      help: 'Events skipped because the inbox had already applied them',
      labelNames: ['topic'],
    });
    this.deadLetters = metrics.counter('dead_letters_total', { help: 'Events sent to the dead-letter topic', labelNames: ['topic'] });
    this.batchSeconds = metrics.histogram('batch_seconds', {
      help: 'Time to validate and apply one batch, in seconds',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    this.lag = metrics.gauge('consumer_lag', {
      help: 'Messages behind the high watermark, per partition',
      labelNames: ['topic', 'partition'],
    });
    this.uncounted = metrics.counter('side_effects_without_case_counting_total', {
      help: 'Side effects read without countsCase (an intake from before report counts): their cases are recounted from the stored states',
      labelNames: ['topic'],
    });
  }
}
