import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { CORRELATION_HEADER, correlationIdFor } from './correlation-id.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { createValidationPipe } from './validation.js';
import { setupOpenApi, type OpenApiOptions } from './openapi.js';

export interface HttpAppOptions {
  port: number;
  host?: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  /** Serve /docs and /docs-json. */
  openApi?: OpenApiOptions;
}

/**
 * Every HTTP app starts the same way: Fastify, one validation pipe, one
 * problem-details filter, a correlation id on each response, pino logs, and
 * graceful shutdown on SIGINT/SIGTERM.
 */
export async function startHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    genReqId: correlationIdFor,
    trustProxy: false,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header(CORRELATION_HEADER, request.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  if (options.openApi) setupOpenApi(app, options.openApi);
  await app.listen(options.port, options.host ?? '127.0.0.1');
  return app;
}
