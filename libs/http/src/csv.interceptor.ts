import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';

const serialized = new WeakMap<object, Buffer>();

/**
 * Records the JSON of an answer that will be sent many times (a cached one), so it is serialized and
 * encoded once: kept as UTF-8 bytes, it is written to each socket as it is (no string to encode, no
 * copy on the heap per request).
 */
export function rememberJson(value: object, json: string): void {
  serialized.set(value, Buffer.from(json, 'utf8'));
}

/**
 * `Accept: text/csv` on a statistics endpoint: the response's `rows` as CSV,
 * one column per field, nested fields joined with dots (`ci95.lower`), lists
 * joined with `;`. JSON stays the default, and an answer whose JSON was
 * remembered (rememberJson) is sent as those bytes.
 */
@Injectable()
export class CsvInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    if (!wantsCsv(http.getRequest<FastifyRequest>().headers.accept)) {
      return next.handle().pipe(
        map((body: unknown) => {
          const json = body !== null && typeof body === 'object' ? serialized.get(body) : undefined;
          if (json === undefined) return body;
          reply.header('content-type', 'application/json; charset=utf-8');
          return json;
        }),
      );
    }
    return next.handle().pipe(
      map((body: { rows?: object[] }) => {
        reply.header('content-type', 'text/csv; charset=utf-8');
        return toCsv(body.rows ?? []);
      }),
    );
  }
}

/** True when the client prefers CSV to JSON (an explicit text/csv ranked above application/json). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const quality = (type: string): number => {
    for (const part of accept.split(',')) {
      const [media, ...parameters] = part.trim().split(';');
      if (media!.trim().toLowerCase() !== type) continue;
      const q = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return q ? Number(q.slice(2)) || 0 : 1;
    }
    return -1;
  };
  const csv = quality('text/csv');
  return csv > 0 && csv >= quality('application/json');
}

export function toCsv(rows: readonly object[]): string {
  const flat = rows.map((row) => flatten(row));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of flat) {
    for (const column of Object.keys(row)) {
      if (!seen.has(column)) {
        seen.add(column);
        columns.push(column);
      }
    }
  }
  // A field that is null in one row and an object in another (an interval, say) is the object's columns, left empty.
  const leaves = columns.filter((column) => !columns.some((other) => other.startsWith(`${column}.`)));
  return stringify(flat, { header: true, columns: leaves.length > 0 ? leaves : ['(no rows)'] });
}

function flatten(
  value: object,
  prefix = '',
  into: Record<string, string | number | boolean | null> = {},
): Record<string, string | number | boolean | null> {
  for (const [key, field] of Object.entries(value)) {
    const column = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(field))
      into[column] = field.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(';');
    else if (field !== null && typeof field === 'object') flatten(field, column, into);
    else into[column] = field as string | number | boolean | null;
  }
  return into;
}
