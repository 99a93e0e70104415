import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import { AppMetrics } from './app-metrics.js';

const EXAMPLE = `# HELP smp_insights_http_request_duration_seconds Time from a request arriving to its answer sent, in seconds, by method, route template and status
# TYPE smp_insights_http_request_duration_seconds histogram
smp_insights_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/signals",status="200"} 1520
smp_insights_http_request_duration_seconds_count{method="GET",route="/v1/signals",status="200"} 1532
`;

/**
 * `GET /metrics`, Prometheus's text format. An admin key's on the apps that take API keys (intake and insights face
 * callers: request counts by route and the cache's figures are not theirs to read); open on the projector, which has
 * no public API and no keys (its port is the operators' alone, like its /health).
 */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsHttpController {
  constructor(private readonly metrics: AppMetrics) {}

  @Get()
  @Roles('admin')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Request durations by route and status, the process (CPU, memory, event-loop delay, GC), and what the app does: ' +
      'the outbox on intake, the answer cache on insights, the consumer on the projector. Scrape with an admin key ' +
      '(Prometheus: `authorization: { credentials_file: … }`).',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'The metrics.', content: { 'text/plain': { example: EXAMPLE } } })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
