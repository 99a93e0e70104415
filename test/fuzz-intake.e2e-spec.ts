import fc from 'fast-check';
import pg from 'pg';
import { eventually, testEnvironment, unique } from './support/environment.js';
import { CHAOS, printFigureTotals, recordFigures, scaled } from './support/load.js';
import { documentedRoutes, fillPath, knownPropertyNames, type DocumentedRoute, type OpenApiDocument } from './support/openapi-routes.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * `npm test` draws the same cases every run (a CI run must not fail on a case no earlier run met); `npm run chaos` draws
 * new ones each time, ten times as many, and SMP_FUZZ_SEED replays a run (fast-check prints the seed of a failure).
 */
const SEED = process.env.SMP_FUZZ_SEED ? Number(process.env.SMP_FUZZ_SEED) : CHAOS ? undefined : 20_261_122;
const seeded = SEED === undefined ? {} : { seed: SEED };

/**
 * Property-based fuzz of every write endpoint of intake, derived from its
 * OpenAPI document: each generated request starts from a documented example
 * and gets at least one change that makes it invalid (a wrong type, a bad
 * date, a negative or non-finite count, an unknown or prototype-polluting
 * key, deep nesting, a huge string, a body over the size limit, a body that
 * is not a JSON object, a wrong content type, a bad path parameter or API
 * key), plus random noise (unicode edge cases, stray query strings and
 * headers). Every answer must be a 4xx problem document, never a 5xx, and no
 * row may appear in any intake table. A second property sends reports that
 * may well be valid, full of unicode edge cases: 201 or 4xx, never 5xx, and
 * what was accepted reads back unchanged.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

interface Draft {
  route: DocumentedRoute;
  body: Json;
  /** Replaces the whole body text (not JSON, or not only JSON). */
  text?: string;
  /** Raw JSON tokens (NaN, 1e400...) substituted for their placeholders after serialising. */
  raw: string[];
  contentType: string | null;
  headers: Record<string, string>;
  pathValues: Record<string, string>;
  query: string;
  changes: string[];
}

type Change = (draft: Draft) => void;

/** libs/http's default body limit. */
const BODY_LIMIT = 64 * 1024;
const BAD_DATES = [
  '0000-00-00',
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '99999-01-01',
  '2026-1-1',
  '26-01-01',
  '2026/01/01',
  '',
  ' 2026-01-01',
  '２０２６-０１-０１',
  '2026-01-01\u0000',
  '-2026-01-01',
  '2026-01-01T00:00:00Z',
  'today',
  '1e3',
];
const RAW_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '0x10', '01', '+1', '.5', '1.', 'undefined', "'x'", '--1'];
const POLLUTING_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isAdmin',
  'role',
  '$where',
  '$ne',
];
const EDGE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0644\u0627 reversed',
  '\u200b\u200c\u200d\ufeff',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'Z̸̡̢͍̻̈́͒a̶̛͚l̷g̵o̸',
  '\r\n\t\u000b\u000c',
  '\\u0000',
  "'; DROP TABLE intake.cases; --",
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '%00%ff',
  '\uffff\ufffe',
  'ǅ ß ﬃ İ ı',
];

function leaves(value: Json, path: Path = []): Array<{ path: Path; value: Json }> {
  const here = [{ path, value }];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => leaves(item, [...path, index]))];
  if (value !== null && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]))];
  return here;
}

/** Sets the value at `path`; a path an earlier change removed is left alone (that change already broke the request). */
function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') (parent as Record<string | number, Json>)[path[path.length - 1]] = value;
  return root;
}

function getAt(root: Json, path: Path): Json {
  return path.reduce<Json>(
    (node, step) => (node !== null && typeof node === 'object' ? ((node as Record<string | number, Json>)[step] ?? null) : null),
    root,
  );
}

function nested(depth: number, kind: 'array' | 'object'): Json {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** A value of another JSON type than `value` (class-validator never converts implicitly). */
function wrongType(value: Json): fc.Arbitrary<Json> {
  const nonString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant<Json>([]),
    fc.constant<Json>({}),
    fc.array(fc.integer(), { maxLength: 3 }),
  );
  if (typeof value === 'string') return nonString;
  if (typeof value === 'number')
    return fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.boolean(),
      fc.integer({ min: -2_000_000_000, max: -1 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((n) => !Number.isInteger(n)),
      fc.integer({ min: 1_000_001, max: Number.MAX_SAFE_INTEGER }),
      fc.constant<Json>([1]),
    );
  if (typeof value === 'boolean') return fc.oneof(fc.constantFrom<Json>('true', 'false', 1, 0, 'yes', []), fc.string({ maxLength: 5 }));
  if (Array.isArray(value))
    return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant<Json>({}), fc.constant<Json>({ length: 1, 0: 'x' }));
  if (value !== null && typeof value === 'object')
    return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant<Json>([]), fc.boolean());
  return fc.oneof(fc.string(), fc.integer());
}

/** Changes that each make the request invalid on their own. */
function breakingChange(route: DocumentedRoute, seed: Json, document: OpenApiDocument, known: Set<string>): fc.Arbitrary<Change> {
  const all = leaves(seed);
  const inside = all.filter((leaf) => leaf.path.length > 0);
  const objects = all.filter((leaf) => leaf.value !== null && typeof leaf.value === 'object' && !Array.isArray(leaf.value));
  const dates = inside.filter((leaf) => typeof leaf.value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(leaf.value));
  const numbers = inside.filter((leaf) => typeof leaf.value === 'number');
  const strings = inside.filter((leaf) => typeof leaf.value === 'string');
  const required = document.components?.schemas?.[route.bodySchema ?? '']?.required ?? [];
  const options: Array<fc.Arbitrary<Change>> = [];

  if (inside.length > 0)
    options.push(
      fc
        .constantFrom(...inside)
        .chain((leaf) => wrongType(leaf.value).map((value) => ({ leaf, value })))
        .map(({ leaf, value }) => (draft: Draft) => {
          draft.body = setAt(draft.body, leaf.path, value);
          draft.changes.push(`wrong type at ${leaf.path.join('.')}: ${JSON.stringify(value)}`);
        }),
    );
  options.push(
    fc
      .tuple(
        fc.constantFrom(...objects),
        fc.oneof(
          fc.constantFrom(...POLLUTING_KEYS),
          fc.string({ minLength: 1, maxLength: 20, unit: 'binary' }).filter((key) => !known.has(key)),
        ),
        fc.oneof(
          fc.constant<Json>({ isAdmin: true }),
          fc.constant<Json>({ prototype: { polluted: true } }),
          fc.string({ maxLength: 5 }),
          fc.integer(),
        ),
      )
      .map(([leaf, key, value]) => (draft: Draft) => {
        // defineProperty: an own `__proto__` key that JSON.stringify writes out, as an attacker's body would have it.
        const target = getAt(draft.body, leaf.path);
        if (target === null || typeof target !== 'object') return;
        Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
        draft.changes.push(`unknown key ${JSON.stringify(key)} at ${leaf.path.join('.') || 'root'}`);
      }),
  );
  if (required.length > 0)
    options.push(
      fc.constantFrom(...required).map((key) => (draft: Draft) => {
        delete (draft.body as Record<string, Json>)[key];
        draft.changes.push(`required ${key} missing`);
      }),
    );
  if (dates.length > 0)
    options.push(
      fc.tuple(fc.constantFrom(...dates), fc.constantFrom(...BAD_DATES)).map(([leaf, date]) => (draft: Draft) => {
        draft.body = setAt(draft.body, leaf.path, date);
        draft.changes.push(`bad date at ${leaf.path.join('.')}: ${JSON.stringify(date)}`);
      }),
    );
  if (numbers.length > 0)
    options.push(
      fc.tuple(fc.constantFrom(...numbers), fc.constantFrom(...RAW_TOKENS)).map(([leaf, token]) => (draft: Draft) => {
        draft.body = setAt(draft.body, leaf.path, `@@RAW${draft.raw.length}@@`);
        draft.raw.push(token);
        draft.changes.push(`raw ${token} at ${leaf.path.join('.')}`);
      }),
    );
  if (strings.length > 0)
    options.push(
      fc
        .tuple(fc.constantFrom(...strings), fc.integer({ min: 70_000, max: 400_000 }), fc.constantFrom('x', 'é', '😀', '\u0000'))
        .map(([leaf, length, unit]) => (draft: Draft) => {
          draft.body = setAt(draft.body, leaf.path, unit.repeat(length));
          draft.changes.push(`${length} × ${JSON.stringify(unit)} at ${leaf.path.join('.')} (over the body limit)`);
        }),
    );
  options.push(
    fc
      .tuple(
        fc.constantFrom(...(inside.length > 0 ? inside : all)),
        fc.integer({ min: 20, max: 4_000 }),
        fc.constantFrom<'array' | 'object'>('array', 'object'),
      )
      .map(([leaf, depth, kind]) => (draft: Draft) => {
        draft.body = setAt(draft.body, leaf.path, nested(depth, kind));
        draft.changes.push(`${kind}s nested ${depth} deep at ${leaf.path.join('.') || 'root'}`);
      }),
  );
  options.push(
    fc
      .oneof(
        fc.constantFrom(
          '[]',
          '[{}]',
          'null',
          'true',
          '0',
          '"text"',
          '{',
          '{"a":',
          '}',
          '',
          ' ',
          '\u0000',
          '{"a":1}{"b":2}',
          '\ufeff',
          'undefined',
        ),
        fc.string({ maxLength: 50, unit: 'binary' }).filter((text) => !isJsonObject(text)),
        fc.constant(JSON.stringify(seed).slice(0, -1)),
      )
      .map((text) => (draft: Draft) => {
        draft.text = text;
        draft.changes.push(`body ${JSON.stringify(text.slice(0, 40))}`);
      }),
  );
  options.push(
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        null,
      )
      .map((contentType) => (draft: Draft) => {
        draft.contentType = contentType;
        draft.changes.push(`content-type ${contentType}`);
      }),
  );
  options.push(
    fc
      .oneof(
        fc.constantFrom('Bearer ', 'Bearer x', 'Basic YWRtaW46YWRtaW4=', 'Bearer smpv_admin_' + 'A'.repeat(40), "Bearer ' OR '1'='1"),
        fc.string({ maxLength: 40, unit: 'grapheme-ascii' }).map((s) => `Bearer ${s}!`),
      )
      .map((authorization) => (draft: Draft) => {
        draft.headers.authorization = authorization;
        draft.changes.push(`authorization ${JSON.stringify(authorization)}`);
      }),
  );
  if (route.pathParams.length > 0)
    options.push(
      fc
        .tuple(
          fc.constantFrom(...route.pathParams),
          fc.oneof(
            fc.constantFrom(
              "' OR 1=1 --",
              '../../etc/passwd',
              'SMP-2026-999999',
              'CLN-99999',
              '%00',
              '\u0000',
              'x'.repeat(3000),
              '😀',
              '0',
            ),
            fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }),
          ),
        )
        .map(([name, value]) => (draft: Draft) => {
          draft.pathValues[name] = value;
          draft.changes.push(`path ${name} ${JSON.stringify(value.slice(0, 40))}`);
        }),
    );
  return fc.oneof(...options);
}

function isJsonObject(text: string): boolean {
  try {
    const parsed = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Changes that may or may not be valid on their own: they ride along with a breaking one. */
function noise(seed: Json): fc.Arbitrary<Change> {
  const strings = leaves(seed).filter((leaf) => typeof leaf.value === 'string');
  const options: Array<fc.Arbitrary<Change>> = [
    fc
      .oneof(
        fc.constantFrom(
          '__proto__[polluted]=1',
          'constructor[prototype][polluted]=1',
          'a[]=1&a[]=2',
          "q=' OR 1=1 --",
          'possibleDuplicate=true',
          'x=' + 'y'.repeat(2_000),
        ),
        fc.string({ maxLength: 30, unit: 'binary' }).map((s) => `${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
      )
      .map((query) => (draft: Draft) => {
        draft.query = query;
        draft.changes.push(`query ${query.slice(0, 40)}`);
      }),
    fc
      .tuple(
        fc.constantFrom(
          'idempotency-key',
          'x-follow-up-token',
          'x-forwarded-for',
          'x-correlation-id',
          'accept',
          'x-http-method-override',
          'origin',
        ),
        fc.oneof(
          fc.string({ maxLength: 300, unit: 'grapheme-ascii' }),
          fc.constantFrom('DELETE', '127.0.0.1, 10.0.0.1', 'application/xml', "' OR 1=1 --", 'a'.repeat(4_000)),
        ),
      )
      .map(([name, value]) => (draft: Draft) => {
        draft.headers[name] = value.replace(/[\r\n]/g, '');
        draft.changes.push(`header ${name}`);
      }),
  ];
  if (strings.length > 0)
    options.push(
      fc
        .tuple(fc.constantFrom(...strings), fc.oneof(fc.constantFrom(...EDGE_STRINGS), fc.string({ maxLength: 40, unit: 'binary' })))
        .map(([leaf, text]) => (draft: Draft) => {
          draft.body = setAt(draft.body, leaf.path, text);
          draft.changes.push(`unicode at ${leaf.path.join('.')}`);
        }),
    );
  return fc.oneof(...options);
}

describe('bad input never gets past intake', () => {
  const SPEC = 'fuzz-intake';
  let system: RunningSystem;
  let routes: DocumentedRoute[];
  let document: OpenApiDocument;
  let known: Set<string>;
  let clinic: { clinicId: string; key: string };
  let pigmentId: string;
  let caseId: string;
  let followUpToken: string;
  let db: pg.Client;

  beforeAll(async () => {
    system = await startSystem(15200, { ANONYMOUS_REPORTS_PER_MINUTE: '100000' });
    clinic = await registerClinic(system, 'Fuzzed clinic');
    pigmentId = (
      await call(`${system.intake}/v1/pigments`, {
        key: system.adminKey,
        body: { manufacturer: 'M', product: 'P', batch: unique('batch') },
      })
    ).body.pigmentId;
    const report = await call(`${system.intake}/v1/reports`, {
      key: clinic.key,
      body: {
        clinicId: clinic.clinicId,
        procedureDate: '2026-07-01',
        reporter: { type: 'client' },
        effects: [{ category: 'inflammation', onsetDate: '2026-07-02', severity: 'mild' }],
      },
    });
    ({ caseId, followUpToken } = report.body);
    ({ routes, document } = await documentedRoutes(system.intake));
    known = knownPropertyNames(document);
    db = new pg.Client({ connectionString: testEnvironment().databaseUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    printFigureTotals();
  });

  const writeRoutes = () => routes.filter((route) => route.method !== 'GET' && route.examples.length > 0);

  /** Documented examples name CLN-00001 and PIG-00001: point them at this spec's own clinic and pigment. */
  function seedFrom(example: unknown): Json {
    return JSON.parse(JSON.stringify(example).replaceAll('CLN-00001', clinic.clinicId).replaceAll('PIG-00001', pigmentId)) as Json;
  }

  async function send(draft: Draft) {
    let text = draft.text ?? JSON.stringify(draft.body);
    draft.raw.forEach((token, index) => (text = text.replace(`"@@RAW${index}@@"`, token)));
    const path = fillPath(draft.route.path, draft.pathValues);
    let response: Response;
    try {
      response = await fetch(`${system.intake}${path}${draft.query ? `?${draft.query}` : ''}`, {
        method: draft.route.method,
        headers: { ...(draft.contentType ? { 'content-type': draft.contentType } : {}), ...draft.headers },
        body: text,
      });
    } catch (error) {
      // A body far over the limit: the server may answer 413 and close before the client has finished sending it,
      // and the client then fails on its write. The server refused it unread; anything else is a failure.
      const code = ((error as Error).cause as { code?: string } | undefined)?.code ?? '';
      if (Buffer.byteLength(text) > BODY_LIMIT && ['EPIPE', 'ECONNRESET'].includes(code)) {
        return { status: 0, contentType: '', body: '', retryAfter: null, closedUnread: true };
      }
      throw error;
    }
    const body = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body,
      retryAfter: response.headers.get('retry-after'),
      closedUnread: false,
    };
  }

  /** Rows in every intake table, but the cases (and what hangs off them) of `except`. */
  async function rowCounts(except = '-'): Promise<Record<string, number>> {
    const tables = (
      await db.query(
        `SELECT t.table_name,
                bool_or(c.column_name = 'clinic_id') AS by_clinic,
                bool_or(c.column_name = 'case_id') AS by_case
           FROM information_schema.tables t JOIN information_schema.columns c USING (table_schema, table_name)
          WHERE t.table_schema = 'intake' AND t.table_type = 'BASE TABLE' AND t.table_name NOT LIKE '%migrations'
          GROUP BY 1 ORDER BY 1`,
      )
    ).rows as Array<{ table_name: string; by_clinic: boolean; by_case: boolean }>;
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const where = table.by_clinic
        ? `WHERE clinic_id IS DISTINCT FROM $1`
        : table.by_case
          ? `WHERE case_id NOT IN (SELECT case_id FROM intake.cases WHERE clinic_id = $1)`
          : `WHERE $1::text IS NOT NULL`;
      counts[table.table_name] = Number(
        (await db.query(`SELECT count(*) FROM intake."${table.table_name}" ${where}`, [except])).rows[0].count,
      );
    }
    return counts;
  }

  const outboxDrained = () =>
    eventually(
      async () => (Number((await db.query('SELECT count(*) FROM intake.outbox')).rows[0].count) === 0 ? true : undefined),
      30_000,
      'the outbox to drain',
    );

  it('finds every write endpoint of intake in its OpenAPI document, each with an example to start from', () => {
    expect(writeRoutes().map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/reports',
        'POST /v1/reports/{caseId}/follow-ups',
        'POST /v1/reports/{caseId}/nullification',
        'POST /v1/clinics/{clinicId}/procedures',
        'POST /v1/clinics',
        'POST /v1/pigments',
        'POST /v1/admin/api-keys',
      ]),
    );
    // Every documented endpoint that takes a body has an example, or the fuzz could not start from a valid request. A DELETE
    // takes none: its path parameter is probed by test/security-probes.
    const bodyless = (route: { method: string }) => route.method === 'GET' || route.method === 'DELETE';
    expect(routes.filter((route) => !bodyless(route) && route.examples.length === 0).map((route) => route.path)).toEqual([]);
  });

  it('refuses the impossible and the far-future date on every date field, and counts that go negative or are not numbers', async () => {
    const report = (procedureDate: string, onsetDate: string) => ({
      clinicId: clinic.clinicId,
      procedureDate,
      reporter: { type: 'clinic' },
      effects: [{ category: 'other', onsetDate, severity: 'mild' }],
    });
    const procedures = (date: string, count: unknown) => ({ procedures: [{ date, pigmentId, count }] });
    const cases: Array<[string, string, unknown]> = [
      ['/v1/reports', 'procedureDate 0000-00-00', report('0000-00-00', '2026-07-02')],
      ['/v1/reports', 'procedureDate 9999-12-31', report('9999-12-31', '9999-12-31')],
      ['/v1/reports', 'onsetDate 9999-12-31', report('2026-07-01', '9999-12-31')],
      ['/v1/reports', 'onsetDate 0000-00-00', report('2026-07-01', '0000-00-00')],
      [`/v1/clinics/${clinic.clinicId}/procedures`, 'date 0000-00-00', procedures('0000-00-00', 1)],
      [`/v1/clinics/${clinic.clinicId}/procedures`, 'date 9999-12-31', procedures('9999-12-31', 1)],
      [`/v1/clinics/${clinic.clinicId}/procedures`, 'count -1', procedures('2026-07-01', -1)],
      [`/v1/clinics/${clinic.clinicId}/procedures`, 'count 0', procedures('2026-07-01', 0)],
      [`/v1/clinics/${clinic.clinicId}/procedures`, 'count 2.5', procedures('2026-07-01', 2.5)],
      [`/v1/clinics/${clinic.clinicId}/procedures`, 'count "3"', procedures('2026-07-01', '3')],
      [
        `/v1/clinics/${clinic.clinicId}/procedures`,
        'count NaN',
        '{"procedures":[{"date":"2026-07-01","pigmentId":"' + pigmentId + '","count":NaN}]}',
      ],
      [
        `/v1/clinics/${clinic.clinicId}/procedures`,
        'count 1e400',
        '{"procedures":[{"date":"2026-07-01","pigmentId":"' + pigmentId + '","count":1e400}]}',
      ],
    ];
    await outboxDrained();
    const before = await rowCounts();
    const answers: Record<string, number> = {};
    for (const [route, name, body] of cases) {
      const response = await call(`${system.intake}${route}`, { key: system.adminKey, body: body as object });
      answers[name] = response.status;
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(Object.fromEntries(Object.entries(answers).filter(([, status]) => !(status >= 400 && status < 500)))).toEqual({});
    expect(await rowCounts()).toEqual(before);
    recordFigures(SPEC, 'boundary dates and counts', { scenarios: 1, fuzzCases: cases.length, rejected: cases.length });
  });

  it('answers every generated bad request with 4xx problem details, never a 5xx, and stores nothing', async () => {
    const runs = scaled(10_000, 100_000);
    const targets = writeRoutes();
    const request = fc
      .constantFrom(...targets)
      .chain((route) => fc.constantFrom(...route.examples).map((example) => ({ route, seed: seedFrom(example) })))
      .chain(({ route, seed }) =>
        fc.record({
          route: fc.constant(route),
          seed: fc.constant(seed),
          breaking: fc.array(breakingChange(route, seed, document, known), { minLength: 1, maxLength: 2 }),
          noise: fc.array(noise(seed), { maxLength: 2 }),
          as: fc.constantFrom<'admin' | 'clinic' | 'anonymous' | 'token'>('admin', 'admin', 'clinic', 'anonymous', 'token'),
        }),
      );
    await outboxDrained();
    const before = await rowCounts();
    const statuses = new Map<string, number>();
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ route, seed, breaking, noise: extra, as }) => {
        const draft: Draft = {
          route,
          body: structuredClone(seed),
          raw: [],
          contentType: 'application/json',
          headers: {
            ...(as === 'admin' ? { authorization: `Bearer ${system.adminKey}` } : {}),
            ...(as === 'clinic' ? { authorization: `Bearer ${clinic.key}` } : {}),
            ...(as === 'token' ? { 'x-follow-up-token': followUpToken } : {}),
          },
          pathValues: { caseId, clinicId: clinic.clinicId },
          query: '',
          changes: [],
        };
        // Noise first, so a breaking change is never overwritten by it.
        for (const change of [...extra, ...breaking]) change(draft);
        const response = await send(draft);
        tried++;
        const outcome = response.closedUnread ? 'closed unread, over the limit' : String(response.status);
        statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
        const problem = response.contentType.startsWith('application/problem+json')
          ? (JSON.parse(response.body) as { status?: number })
          : undefined;
        const verdict = { status: response.status, problem: problem?.status === response.status };
        if (!(verdict.status >= 400 && verdict.status < 500 && verdict.problem) && !response.closedUnread) {
          throw new Error(
            `${route.method} ${route.path} (${draft.changes.join('; ')}) answered ${response.status} ${response.contentType} ${response.body.slice(0, 300)}`,
          );
        }
      }),
      { numRuns: runs, endOnFailure: true, ...seeded },
    );
    await outboxDrained();
    expect(await rowCounts()).toEqual(before);
    expect(tried).toBeGreaterThanOrEqual(runs);
    process.stdout.write(
      `fuzz: ${tried} bad requests to ${targets.length} endpoints; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    recordFigures(SPEC, 'bad requests to every write endpoint', { scenarios: 1, rejected: tried, fuzzCases: tried });
  }, 900_000);

  it('answers reports full of unicode edge cases with 201 or 4xx, never a 5xx, and reads back what it accepted unchanged', async () => {
    const runs = scaled(300, 3_000);
    const other = await registerClinic(system, 'Unicode clinic');
    const text = fc.oneof(
      fc.constantFrom(...EDGE_STRINGS),
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.string({ maxLength: 200, unit: 'grapheme' }),
    );
    const report = fc.record({
      narrative: text,
      description: text,
      email: fc.oneof(fc.emailAddress(), text),
      phone: fc.oneof(fc.constant('+31 6 1234 5678'), text),
      procedureDate: fc.constantFrom('2026-07-01', '9999-12-31', '1900-01-01', '2026-02-29', '2028-02-29'),
    });
    await outboxDrained();
    const before = await rowCounts(other.clinicId);
    const accepted: Array<{ caseId: string; narrative: string }> = [];
    let tried = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(report, async (generated) => {
        const response = await call(`${system.intake}/v1/reports`, {
          key: other.key,
          body: {
            clinicId: other.clinicId,
            procedureDate: generated.procedureDate,
            reporter: { type: 'client', contact: { email: generated.email, phone: generated.phone } },
            effects: [{ category: 'other', onsetDate: generated.procedureDate, severity: 'mild', description: generated.description }],
            narrative: generated.narrative,
          },
        });
        tried++;
        if (response.status === 201) accepted.push({ caseId: response.body.caseId, narrative: generated.narrative });
        else if (
          response.status >= 400 &&
          response.status < 500 &&
          response.headers.get('content-type')?.startsWith('application/problem+json')
        )
          rejected++;
        else
          throw new Error(
            `answered ${response.status} ${JSON.stringify(response.body).slice(0, 300)} to ${JSON.stringify(generated).slice(0, 300)}`,
          );
      }),
      { numRuns: runs, endOnFailure: true, ...seeded },
    );
    // What was accepted is stored as sent (an admin reads the narrative back); nothing else moved.
    for (const { caseId: acceptedCaseId, narrative } of accepted.slice(0, 50)) {
      const versions = await call(`${system.intake}/v1/reports/${acceptedCaseId}/versions`, { key: system.adminKey });
      expect(JSON.stringify(versions.body)).toContain(JSON.stringify(narrative).slice(1, -1));
    }
    const stored = Number((await db.query('SELECT count(*) FROM intake.cases WHERE clinic_id = $1', [other.clinicId])).rows[0].count);
    expect(stored).toBe(new Set(accepted.map((entry) => entry.caseId)).size);
    await outboxDrained();
    expect(await rowCounts(other.clinicId)).toEqual(before);
    process.stdout.write(`fuzz: ${tried} unicode reports, ${accepted.length} accepted, ${rejected} rejected\n`);
    recordFigures(SPEC, 'unicode edge cases in reports', { scenarios: 1, fuzzCases: tried, accepted: accepted.length, rejected });
  }, 600_000);
});
