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
      // Only what identifies the failure: a driver error also carries the query's parameters and the failing row, personal data.
      const where = `${request.method} ${request.routeOptions?.url ?? request.url}`;
      if (problem.status === 503) this.logger.warn({ correlationId, error: loggable(exception) }, `${where} answered 503`);
      else this.logger.error({ correlationId, error: loggable(exception) }, `${where} failed`);
    }
    // The rate limiter sets Retry-After itself; a 429 or 503 must never leave without one.
    if (problem.status === 429 && !reply.hasHeader('retry-after')) headers['retry-after'] ??= '60';
    if (problem.status === 503 && !reply.hasHeader('retry-after')) headers['retry-after'] ??= '2';
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
        problem: {
          type: 'about:blank',
          title: titleFor(statusCode),
          status: statusCode,
          detail: requestErrorDetail(exception, statusCode),
        },
        headers: {},
      };
    }
    // Before the generic 500: a database that is down or restarting is the client's cue to retry, and nothing was written.
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

/**
 * The detail of a request Fastify refused. A JSON syntax error quotes the
 * body it could not parse (personal data, at times), so it gets a fixed
 * sentence instead.
 */
function requestErrorDetail(exception: unknown, status: number): string {
  const { code, message } = exception as { code?: unknown; message?: unknown };
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || exception instanceof SyntaxError) return 'The request body is not valid JSON.';
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty but its content type is application/json.';
  if (status === 413) return 'The request body is larger than this endpoint accepts.';
  if (typeof message !== 'string') return titleFor(status);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/** What a log line may say about an exception: its kind, message, SQLSTATE or errno and stack; never a driver's parameters or row. */
function loggable(exception: unknown): Record<string, unknown> {
  if (!(exception instanceof Error)) return { type: typeof exception };
  const { code } = exception as { code?: unknown };
  const driverCode = (exception as { driverError?: { code?: unknown } }).driverError?.code;
  return { type: exception.name, message: exception.message, code: code ?? driverCode, stack: exception.stack };
}
