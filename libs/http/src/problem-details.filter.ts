import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_TYPE_BASE, ProblemError, type ProblemDocument } from './problem.js';
import { correlationIdOf } from './correlation-id.js';
import { isTransientDatabaseError } from '@smp/persistence';

/**
 * The one exception filter: every error leaves as RFC 9457 problem details
 * (`application/problem+json`) with the request's correlation id. Nothing of
 * the request body is echoed or logged.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const correlationId = correlationIdOf(request);
    const { problem, headers } = this.toProblem(exception);
    problem.instance = request.url;
    problem.correlationId = correlationId;
    if (problem.status >= 500) {
      this.logger.error({ correlationId, err: exception }, `${request.method} ${request.routeOptions?.url ?? request.url} failed`);
    }
    // The rate limiter sets Retry-After itself; a 429 must never leave without one.
    if (problem.status === 429 && !reply.hasHeader('retry-after')) headers['retry-after'] = '60';
    void reply
      .status(problem.status)
      .headers({ ...headers, 'content-type': 'application/problem+json; charset=utf-8' })
      .send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): { problem: ProblemDocument; headers: Record<string, string> } {
    if (exception instanceof ProblemError) {
      return {
        problem: {
          type: PROBLEM_TYPE_BASE + exception.code,
          title: exception.title,
          status: exception.status,
          detail: exception.message,
          ...(exception.errors.length > 0 ? { errors: exception.errors } : {}),
        },
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      return { problem: { type: 'about:blank', title: titleFor(status), status, detail }, headers: {} };
    }
    // Fastify's own request errors (bad JSON, body too large, wrong content type) carry a 4xx statusCode.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return {
        problem: { type: 'about:blank', title: titleFor(statusCode), status: statusCode, detail: (exception as Error).message },
        headers: {},
      };
    }
    if (isTransientDatabaseError(exception)) {
      return {
        problem: {
          type: PROBLEM_TYPE_BASE + 'service-unavailable',
          title: 'Service temporarily unavailable',
          status: 503,
          detail: 'The database cannot be reached right now. Nothing was stored; retry shortly.',
        },
        headers: { 'retry-after': '2' },
      };
    }
    return {
      problem: { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.' },
      headers: {},
    };
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}
