import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { CORRELATION_HEADER, correlationIdFor } from './correlation-id.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { PROBLEM_TYPE_BASE, ProblemError } from './problem.js';
import { missingBody, NestedObjectsPipe, notAnObjectBody, unstorableInput, unsupportedMediaType } from './request-limits.js';
import { securityHeaders } from './security-headers.js';
import { createValidationPipe } from './validation.js';
import { setupOpenApi, type OpenApiOptions } from './openapi.js';

export interface HttpAppOptions {
  port: number;
  host?: string;
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  /** Serve /docs and /docs-json. */
  openApi?: OpenApiOptions;
  /** Browser origins allowed to call this app (CORS); default: CORS_ORIGINS, comma-separated; none = CORS off. */
  corsOrigins?: string[];
}

/**
 * CORS_ORIGINS, e.g. `http://127.0.0.1:3001,https://dashboard.example.org`: exact origins only (no wildcard, no
 * path), so that an API key typed into some other page can never be replayed from there. Empty or unset: no CORS.
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(origin)) {
      throw new Error(`CORS_ORIGINS must be a comma-separated list of origins such as http://127.0.0.1:3001; "${origin}" is not one`);
    }
  }
  return origins;
}

/**
 * Every HTTP app starts the same way: Fastify with a body limit (413
 * problem details past it), one validation pipe, one problem-details filter,
 * a correlation id and security headers on each response, CORS only for the
 * configured origins, pino logs, and graceful shutdown on SIGINT/SIGTERM.
 */
export async function startHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    genReqId: correlationIdFor,
    trustProxy: false,
    // The router refuses a malformed URL (400) or an over-long path parameter (414) before any hook or filter runs.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode === 414 ? 414 : 400;
      const detail = status === 414 ? 'A path parameter is longer than this API accepts.' : 'The URL is not valid.';
      sendProblem(request, reply, new ProblemError(status, 'about:blank', status === 414 ? 'URI Too Long' : 'Bad Request', detail));
    },
  });
  const headers = securityHeaders();
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header(CORRELATION_HEADER, request.id);
    done();
  });
  // After parsing, before guards, pipes and handlers: input no endpoint can transform or store is a 400, not a 500.
  adapter.getInstance().addHook('preValidation', async (request, reply) => {
    const problem =
      unsupportedMediaType(request.method, request.headers['content-type']) ??
      missingBody(request.method, request.body) ??
      notAnObjectBody(request.body) ??
      unstorableInput(request.body, 'body') ??
      unstorableInput(request.query, 'query') ??
      unstorableInput(request.params, 'path');
    if (problem) return sendProblem(request, reply, problem);
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe(), new NestedObjectsPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const corsOrigins = options.corsOrigins ?? parseCorsOrigins(process.env.CORS_ORIGINS);
  if (corsOrigins.length > 0) {
    app.enableCors({
      origin: corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-follow-up-token', 'accept'],
      exposedHeaders: [CORRELATION_HEADER, 'retry-after', 'location'],
      maxAge: 600,
    });
  }
  if (options.openApi) setupOpenApi(app, options.openApi);
  await app.listen(options.port, options.host ?? '127.0.0.1');
  return app;
}

/**
 * A problem document sent straight from a Fastify hook or the router, where
 * Nest's exception filter does not reach (same shape as ProblemDetailsFilter's).
 */
function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  const type = problem.code === 'about:blank' ? problem.code : PROBLEM_TYPE_BASE + problem.code;
  return reply
    .status(problem.status)
    .headers({
      'content-type': 'application/problem+json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      [CORRELATION_HEADER]: request.id,
    })
    .send(
      JSON.stringify({
        type,
        title: problem.title,
        status: problem.status,
        detail: problem.message,
        instance: request.url,
        correlationId: request.id,
        ...(problem.errors.length > 0 ? { errors: problem.errors } : {}),
      }),
    );
}
