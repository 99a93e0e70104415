import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
} from 'prom-client';

/** Upper bounds of the request-duration buckets, in seconds: fine below 50 ms, where the service's latency targets are. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * One app's Prometheus metrics, served at its /metrics (see MetricsModule): every metric is named `smp_<app>_…`, so that
 * the three apps' figures stay apart on one dashboard. Holds the duration of every HTTP request the app answered, by
 * method, route template (never the path itself: ids would make a series per case) and status; apps add their own.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly prefix: string;
  private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  /** perf: one bound series per method, route and status, made once, not a labels object made on every request. */
  private readonly requestSeries = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();

  constructor(
    readonly app: string,
    { processMetrics = true }: { processMetrics?: boolean } = {},
  ) {
    this.prefix = `smp_${app}_`;
    // CPU, memory, event-loop delay, GC and handles of the process: what an operator looks at first.
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: this.prefix });
    this.requestSeconds = new Histogram({
      name: `${this.prefix}http_request_duration_seconds`,
      help: 'Time from a request arriving to its answer sent, in seconds, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: REQUEST_BUCKETS,
      registers: [this.registry],
    });
  }

  /** A request answered: `route` is the template it matched (`/v1/clinics/:clinicId/incidence`), undefined when none did. */
  observeRequest(method: string, route: string | undefined, status: number, milliseconds: number): void {
    const key = `${method} ${route} ${status}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = this.requestSeconds.labels(method, route ?? 'unmatched', String(status));
      this.requestSeries.set(key, series);
    }
    series.observe(milliseconds / 1000);
  }

  /** A counter of this app's, named `smp_<app>_<name>`. */
  counter<L extends string>(name: string, configuration: Omit<CounterConfiguration<L>, 'name' | 'registers'>): Counter<L> {
    return new Counter({ ...configuration, name: this.prefix + name, registers: [this.registry] });
  }

  /** A gauge of this app's, named `smp_<app>_<name>` (give `collect` to read its value when scraped). */
  gauge<L extends string>(name: string, configuration: Omit<GaugeConfiguration<L>, 'name' | 'registers'>): Gauge<L> {
    return new Gauge({ ...configuration, name: this.prefix + name, registers: [this.registry] });
  }

  /** A histogram of this app's, named `smp_<app>_<name>`. */
  histogram<L extends string>(
    name: string,
    configuration: Omit<ConstructorParameters<typeof Histogram<L>>[0], 'name' | 'registers'>,
  ): Histogram<L> {
    return new Histogram({ ...configuration, name: this.prefix + name, registers: [this.registry] });
  }
}
