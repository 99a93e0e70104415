import { Global, Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppMetrics } from './app-metrics.js';
import { MetricsHttpController } from './metrics.http.controller.js';

/** Times every request the app answers, from Fastify's onResponse hook (one hook, none of Nest's interceptor machinery). */
class RequestTiming implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(AppMetrics) private readonly metrics: AppMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Nest's testing modules that never serve HTTP have no adapter: nothing to time.
    fastify?.addHook('onResponse', (request, reply, done) => {
      this.metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
      done();
    });
  }
}

/** `GET /metrics` and the app's AppMetrics (process figures and request durations), for apps to add their own to. */
@Global()
@Module({})
export class MetricsModule {
  static forApp(app: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsHttpController],
      providers: [{ provide: AppMetrics, useValue: new AppMetrics(app) }, RequestTiming],
      exports: [AppMetrics],
    };
  }
}
