import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { correlationIdFor } from './correlation-id.js';

/**
 * Structured logs with the correlation id on every line. Bodies are never
 * logged (they can hold personal data); credentials are redacted.
 */
export function loggingModule(level: string, app: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      name: app,
      genReqId: (request: IncomingMessage) => correlationIdFor(request),
      customProps: () => ({ app }),
      autoLogging: { ignore: (request: IncomingMessage) => request.url === '/health' },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'debug',
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-follow-up-token"]'],
    },
  });
}
