import { gzipSync } from 'node:zlib';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The answer's JSON as UTF-8 bytes, and its gzip once a client that accepts gzip asked for it. */
interface Serialized {
  json: Buffer;
  gzip?: Buffer;
}

const serialized = new WeakMap<object, Serialized>();

/** A 2 MB all-clinic answer: 7.3× smaller in 13 ms (level 6: 8.2× in 23 ms; level 1: 6.6× in 11 ms). Paid once per kept answer. */
const GZIP_LEVEL = 4;

/**
 * Records the JSON of an answer that will be sent many times (a cached one), so it is serialized and
 * encoded once: kept as UTF-8 bytes, it is written to each socket as it is (no string to encode, no
 * copy on the heap per request). Its gzip is made on the first request that accepts gzip and kept too.
 */
export function rememberJson(value: object, json: string): void {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json, 'utf8'));
  bytes.write(json, 'utf8');
  serialized.set(value, { json: bytes });
}

/**
 * A buffer kept as long as its answer, outside Node's shared 8 KB pool: a small Buffer made the usual way is a slice of
 * a pool slab, and keeping it keeps the whole slab (thousands of small kept answers would hold megabytes of slabs that
 * no budget counts).
 */
function unpooled(bytes: Buffer): Buffer {
  if (bytes.buffer.byteLength === bytes.length) return bytes;
  const own = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(own);
  return own;
}

/** An answer as sent: the answer itself (Fastify serializes it), its kept JSON or gzip bytes, or CSV text. */
export type Represented<T> = T | Buffer | string;

/** Turns a handler's answer into what is sent for the request it answers (see Representation). */
export type Represent = <T>(body: T) => Represented<T>;

/**
 * How a statistics answer is represented:
 * - `Accept: text/csv`: the response's `rows` as CSV, one column per field, nested fields joined with dots
 *   (`ci95.lower`), lists joined with `;`;
 * - otherwise JSON; an answer whose JSON was remembered (rememberJson) is sent as those bytes, gzipped
 *   when the client accepts gzip (browsers and most HTTP clients do): a kept answer of every clinic is
 *   megabytes of JSON, a seventh of that gzipped, which over a real network is most of its transfer time.
 */
function represent<T>(request: FastifyRequest, reply: FastifyReply, body: T): Represented<T> {
  const { headers } = request;
  if (wantsCsv(headers.accept)) {
    reply.header('content-type', 'text/csv; charset=utf-8');
    return toCsv((body as { rows?: object[] } | null)?.rows ?? []);
  }
  // The same URL may be answered gzipped or not: shared caches must key on the request's Accept-Encoding.
  reply.header('vary', 'accept-encoding');
  const kept = body !== null && typeof body === 'object' ? serialized.get(body) : undefined;
  if (kept === undefined) return body;
  reply.header('content-type', 'application/json; charset=utf-8');
  if (!acceptsEncoding(headers['accept-encoding'], 'gzip')) return kept.json;
  kept.gzip ??= unpooled(gzipSync(kept.json, { level: GZIP_LEVEL }));
  reply.header('content-encoding', 'gzip');
  return kept.gzip;
}

/**
 * The handler's parameter that represents its answer (see represent): `return represent(answer)`.
 *
 * perf: a parameter, not an interceptor. Any interceptor on a route makes Nest run the request through an rxjs
 * pipeline (a ReplaySubject, defer/mergeAll, switchMap and takeUntil on the client's disconnect): ≈ 24 % of what
 * insights allocated per answer it kept, for a function call.
 */
export const Representation = createParamDecorator((_data: unknown, context: ExecutionContext): Represent => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  return (body) => represent(request, reply, body);
});

/**
 * True when `Accept-Encoding` allows `coding` (RFC 9110 §12.5.3): listed with a q-value above 0, or covered by
 * `*` when not listed itself. No header: the server may choose, and chooses identity. (@fastify/accept-negotiator,
 * which @fastify/compress uses, matches codings case-sensitively and lets `*` override an explicit `gzip;q=0`.)
 */
export function acceptsEncoding(header: string | string[] | undefined, coding: string): boolean {
  if (header === undefined) return false;
  const list = Array.isArray(header) ? header.join(',') : header;
  return (qualityOf(list, coding) ?? qualityOf(list, '*') ?? 0) > 0;
}

/** True when the client prefers CSV to JSON (an explicit text/csv ranked above application/json). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const csv = qualityOf(accept, 'text/csv') ?? -1;
  return csv > 0 && csv >= (qualityOf(accept, 'application/json') ?? -1);
}

/** The q-value an Accept-style list (`a;q=0.5, b`) gives `token`, compared case-insensitively; undefined when not listed. */
function qualityOf(list: string, token: string): number | undefined {
  for (const part of list.split(',')) {
    const [name, ...parameters] = part.trim().split(';');
    if (name!.trim().toLowerCase() !== token) continue;
    const q = parameters.map((parameter) => parameter.trim().toLowerCase()).find((parameter) => parameter.startsWith('q='));
    return q === undefined ? 1 : Number(q.slice(2)) || 0;
  }
  return undefined;
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
