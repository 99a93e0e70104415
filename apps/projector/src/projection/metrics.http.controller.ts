import { Controller, Get, Header } from '@nestjs/common';
import { ProjectorMetrics } from './projector.metrics.js';

@Controller('metrics')
export class MetricsHttpController {
  constructor(private readonly metrics: ProjectorMetrics) {}

  /** Prometheus text format: consumer lag per partition, events applied, batch latency, dead letters. */
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
