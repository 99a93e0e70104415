import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

export const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTABLE = /^[\w.:-]{1,128}$/;
const ASSIGNED = Symbol('correlationId');

/**
 * A caller's correlation id when it is sane, otherwise a new one. Remembered
 * on the raw request so that Fastify and the request logger agree on it.
 */
export function correlationIdFor(request: IncomingMessage): string {
  const raw = request as IncomingMessage & { [ASSIGNED]?: string };
  if (raw[ASSIGNED]) return raw[ASSIGNED];
  const given = request.headers[CORRELATION_HEADER];
  raw[ASSIGNED] = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  return raw[ASSIGNED];
}

export function correlationIdOf(request: FastifyRequest): string {
  return correlationIdFor(request.raw);
}
