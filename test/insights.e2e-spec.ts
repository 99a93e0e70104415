import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SIGNAL_RAISED_V1, TOPICS } from '@smp/contracts';
import { runCli } from './support/cli.js';
import { eventually, testKafka, unique } from './support/environment.js';
import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * The read side on a small network whose every figure is known by hand:
 * two clinics in Iceland and one in Liechtenstein (countries no other spec
 * uses, so network figures filtered by country are this spec's alone), two
 * pigments, procedures in March 2026 and 25 reports.
 *
 *   clinic A (IS), pigment P1, 400 procedures: 8 inflammation, 2 infection, 1 allergic reaction
 *   clinic B (IS), pigment P2, 300 procedures: 12 allergic reaction, 2 inflammation
 *   clinic C (LI), pigment P1, 100 procedures: no report
 */
describe('insights: rates, funnels, signals, counts, deadlines and public figures from the read models', () => {
  let system: RunningSystem;
  let regulatorKey: string;
  let clinicA: { clinicId: string; key: string };
  let clinicB: { clinicId: string; key: string };
  let clinicC: { clinicId: string; key: string };
  let p1: string;
  let p2: string;
  const maker1 = unique('Maker One');
  const maker2 = unique('Maker Two');

  const report = (clinicId: string, pigmentId: string, category: string) => ({
    clinicId,
    pigmentId,
    procedureDate: '2026-03-10',
    reporter: { type: 'client' },
    effects: [{ category, onsetDate: '2026-03-12', severity: category === 'allergic_reaction' ? 'moderate' : 'mild' }],
  });

  beforeAll(async () => {
    system = await startSystem(19500, { SIGNAL_EVALUATION_MS: '500' });
    regulatorKey = await createKey(system, 'regulator');
    clinicA = await registerClinic(system, 'Clinic A', 'IS');
    clinicB = await registerClinic(system, 'Clinic B', 'IS');
    clinicC = await registerClinic(system, 'Clinic C', 'LI');
    const pigment = async (manufacturer: string, product: string, batch: string) => {
      const { status, body } = await call(`${system.intake}/v1/pigments`, { key: system.adminKey, body: { manufacturer, product, batch } });
      expect(status).toBe(201);
      return body.pigmentId as string;
    };
    p1 = await pigment(maker1, 'Alpha', 'A-1');
    p2 = await pigment(maker2, 'Beta', 'B-7');
    const record = async (clinic: { clinicId: string; key: string }, pigmentId: string, count: number) => {
      const { status } = await call(`${system.intake}/v1/clinics/${clinic.clinicId}/procedures`, {
        key: clinic.key,
        body: { procedures: [{ pigmentId, date: '2026-03-05', count }] },
      });
      expect(status).toBe(201);
    };
    await record(clinicA, p1, 400);
    await record(clinicB, p2, 300);
    await record(clinicC, p1, 100);
    const reports = [
      ...Array.from({ length: 8 }, () => report(clinicA.clinicId, p1, 'inflammation')),
      ...Array.from({ length: 2 }, () => report(clinicA.clinicId, p1, 'infection')),
      report(clinicA.clinicId, p1, 'allergic_reaction'),
      ...Array.from({ length: 12 }, () => report(clinicB.clinicId, p2, 'allergic_reaction')),
      ...Array.from({ length: 2 }, () => report(clinicB.clinicId, p2, 'inflammation')),
    ];
    for (const body of reports) expect((await call(`${system.intake}/v1/reports`, { body })).status).toBe(201);
    // Everything projected: 25 reports in the two Icelandic clinics, and the registrations.
    await eventually(
      async () => {
        const { body } = await call(`${system.insights}/v1/stats/count?field=country&country=IS`, { key: regulatorKey });
        return body.rows?.[0]?.count === 25 ? true : undefined;
      },
      30_000,
      'the 25 reports to be counted',
    );
  }, 180_000);

  afterAll(() => system?.stop());

  /** GET as the regulator, another key, or (null) nobody. */
  const get = (path: string, key: string | null = regulatorKey) => call(`${system.insights}${path}`, { key: key ?? undefined });

  it('gives a clinic its rates per category and month with Wilson intervals, the network rate and its funnel band', async () => {
    const { status, body } = await get(`/v1/clinics/${clinicA.clinicId}/incidence?from=2026-03&to=2026-03`, clinicA.key);
    expect(status).toBe(200);
    // A recorded procedures in March, so every category has a row, 0 included.
    expect(body.rows).toHaveLength(7);
    const infection = body.rows.find((row: { category: string }) => row.category === 'infection');
    // 2 in 400 = 5 per 1,000; Wilson 95% (z = 1.96) by hand: 1.372 to 18.045. Network (this month, all clinics) is at least
    // A's own 2 over everyone's procedures, so only its presence is asserted here; the funnel below pins it per country.
    expect(infection).toMatchObject({ month: '2026-03', procedures: 400, reports: 2, serious: 2, ratePer1000: 5 });
    expect(infection.ci95.lower).toBeCloseTo(1.372, 2);
    expect(infection.ci95.upper).toBeCloseTo(18.045, 2);
    expect(infection.networkRatePer1000).toEqual(expect.any(Number));
    expect(body.rows.find((row: { category: string }) => row.category === 'scarring')).toMatchObject({ reports: 0, ratePer1000: 0 });
    expect(body.funnel.map((entry: { category: string }) => entry.category)).toContain('inflammation');
    for (const entry of body.funnel) expect(['within', 'above_95', 'above_99_8', 'below_95', 'below_99_8', null]).toContain(entry.band);
    // A on each network funnel just as the regulator's view of every clinic places it (figures, z and band).
    expect(body.funnel).toHaveLength(7);
    for (const entry of body.funnel) {
      const network = await get(`/v1/stats/clinics?from=2026-03&to=2026-03&category=${entry.category}&limit=1000`);
      const point = network.body.rows.find((row: { clinicId: string }) => row.clinicId === clinicA.clinicId);
      const { procedures, reports, ratePer1000, z, band } = point;
      expect(entry).toEqual({
        category: entry.category,
        procedures,
        reports,
        ratePer1000,
        networkRatePer1000: network.body.funnels[0].networkRatePer1000,
        z,
        band,
      });
    }
    expect(body.funnel.find((entry: { category: string }) => entry.category === 'inflammation')).toMatchObject({
      procedures: 400,
      reports: 8,
      z: expect.any(Number),
    });

    expect((await get(`/v1/clinics/${clinicA.clinicId}/incidence`, clinicB.key)).status).toBe(403);
    expect((await get(`/v1/clinics/${clinicA.clinicId}/incidence`, null)).status).toBe(401);
  });

  it('places every clinic of a country on the funnel, against that network', async () => {
    const { status, body } = await get('/v1/stats/clinics?category=inflammation&country=IS&from=2026-03&to=2026-03');
    expect(status).toBe(200);
    // Network: 10 inflammations in 700 procedures.
    expect(body.funnels).toEqual([expect.objectContaining({ category: 'inflammation', networkRatePer1000: 14.286 })]);
    expect(body.funnels[0].limits.length).toBeGreaterThan(10);
    const byClinic = Object.fromEntries(body.rows.map((row: { clinicId: string }) => [row.clinicId, row]));
    expect(Object.keys(byClinic).sort()).toEqual([clinicA.clinicId, clinicB.clinicId].sort());
    expect(byClinic[clinicA.clinicId]).toMatchObject({ name: 'Clinic A', country: 'IS', procedures: 400, reports: 8, ratePer1000: 20 });
    expect(byClinic[clinicB.clinicId]).toMatchObject({ procedures: 300, reports: 2, ratePer1000: 6.667 });
    // A is above the network rate and B below, so their z-scores have opposite signs.
    expect(byClinic[clinicA.clinicId].z).toBeGreaterThan(0);
    expect(byClinic[clinicB.clinicId].z).toBeLessThan(0);

    const liechtenstein = await get('/v1/stats/clinics?category=inflammation&country=LI');
    expect(liechtenstein.body.rows).toEqual([
      expect.objectContaining({ clinicId: clinicC.clinicId, procedures: 100, reports: 0, ratePer1000: 0 }),
    ]);
  });

  it('gives rates per pigment manufacturer, product and batch, with procedures done with that pigment as denominator', async () => {
    const { body } = await get(`/v1/stats/pigments?groupBy=batch&category=allergic_reaction&country=IS`);
    const mine = body.rows.filter((row: { pigmentId: string }) => row.pigmentId === p1 || row.pigmentId === p2);
    expect(mine).toEqual([
      expect.objectContaining({
        manufacturer: maker1,
        product: 'Alpha',
        batch: 'A-1',
        pigmentId: p1,
        procedures: 400,
        reports: 1,
        ratePer1000: 2.5,
      }),
      expect.objectContaining({
        manufacturer: maker2,
        product: 'Beta',
        batch: 'B-7',
        pigmentId: p2,
        procedures: 300,
        reports: 12,
        ratePer1000: 40,
      }),
    ]);
    // Without the country filter clinic C's 100 procedures with P1 count too.
    const all = await get(`/v1/stats/pigments?groupBy=manufacturer&category=allergic_reaction&limit=1000`);
    expect(all.body.rows.find((row: { manufacturer: string }) => row.manufacturer === maker1)).toMatchObject({
      procedures: 500,
      reports: 1,
      ratePer1000: 2,
    });
    const trend = await get(`/v1/stats/pigments?groupBy=batch&byMonth=true&category=allergic_reaction&country=IS`);
    expect(trend.body.rows.find((row: { pigmentId: string }) => row.pigmentId === p2)).toMatchObject({ month: '2026-03', reports: 12 });
  });

  it('computes the disproportionality of each pigment × category, and publishes the raised signal', async () => {
    const { body } = await get('/v1/signals?country=IS&sort=prr&order=desc');
    const p2Allergy = body.rows.find(
      (row: { pigmentId: string; category: string }) => row.pigmentId === p2 && row.category === 'allergic_reaction',
    );
    // a = 12, b = P2's other reports 2, c = P1's allergies 1, d = P1's other 10 (8 + 2).
    expect(p2Allergy).toMatchObject({ manufacturer: maker2, batch: 'B-7', a: 12, b: 2, c: 1, d: 10 });
    // PRR = (12/14) / (1/11) = 9.429; ROR = (12·10) / (2·1) = 60; Yates χ² = (|120 − 2| − 12.5)² · 25 / (14·11·13·12) = 11.58.
    expect(p2Allergy.prr.value).toBeCloseTo(9.429, 2);
    expect(p2Allergy.prr.chi2).toBeCloseTo(11.58, 1);
    expect(p2Allergy.ror.value).toBeCloseTo(60, 5);
    expect(p2Allergy.signals).toEqual(expect.arrayContaining(['evans', 'ror']));
    const prrs = body.rows.map((row: { prr: { value: number | null } }) => row.prr.value).filter((value: number | null) => value !== null);
    expect(prrs).toEqual([...prrs].sort((x, y) => y - x));
    const quiet = await get('/v1/signals?country=IS&signalling=none');
    expect(quiet.body.rows.every((row: { signals: string[] }) => row.signals.length === 0)).toBe(true);
    // Each criterion's filter keeps exactly the rows that meet it, in the order of the whole list; any and none split it.
    type Listed = { pigmentId: string; category: string; signals: string[] };
    const all: Listed[] = (await get('/v1/signals?country=IS&limit=1000')).body.rows;
    const named = (rows: Listed[]) => rows.map((row) => `${row.pigmentId} ${row.category}`);
    for (const criterion of ['evans', 'ror', 'ic'])
      expect(named((await get(`/v1/signals?country=IS&limit=1000&signalling=${criterion}`)).body.rows)).toEqual(
        named(all.filter((row) => row.signals.includes(criterion))),
      );
    const any = await get('/v1/signals?country=IS&limit=1000&signalling=any');
    expect(named(any.body.rows)).toEqual(named(all.filter((row) => row.signals.length > 0)));
    expect(any.body.totalRows).toBeGreaterThan(0);
    expect(any.body.totalRows + quiet.body.totalRows).toBe(all.length);

    // The watcher raised it on smp.signals.v1, keyed by the pigment.
    const consumer = testKafka('insights-spec').consumer({ groupId: unique('signals-reader') });
    const raised: Array<{ key: string; type: string; data: { category: string; methods: string[] } }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.signals, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        raised.push({ key: String(message.key), type: String(message.headers?.ce_type), data: JSON.parse(String(message.value)) });
      },
    });
    try {
      const event = await eventually(
        async () => raised.find((entry) => entry.key === p2 && entry.data.category === 'allergic_reaction'),
        30_000,
        'the signal raised event',
      );
      expect(event.type).toBe(SIGNAL_RAISED_V1);
      // Raised when the pair first met a criterion, which may have been while the reports were still arriving.
      expect(event.data.methods.length).toBeGreaterThan(0);
      expect(event.data).toMatchObject({ a: expect.any(Number), b: expect.any(Number), c: expect.any(Number), d: expect.any(Number) });
    } finally {
      await consumer.disconnect();
    }
  });

  it('pages signals and clinic rows: every row once, in the order of the whole list, by cursor', async () => {
    const everyPage = async (path: string, limit: number) => {
      const rows: unknown[] = [];
      let page = await get(`${path}&limit=${limit}`);
      const totalRows = page.body.totalRows;
      rows.push(...page.body.rows);
      while (page.body.nextCursor) {
        expect(page.body.rows).toHaveLength(limit);
        page = await get(`${path}&limit=${limit}&cursor=${page.body.nextCursor}`);
        rows.push(...page.body.rows);
      }
      return { rows, totalRows };
    };
    for (const path of [
      '/v1/signals?country=IS&sort=a&order=desc',
      '/v1/signals?country=IS&sort=ic&order=asc',
      '/v1/stats/clinics?country=IS',
      '/v1/stats/pigments?groupBy=batch&byMonth=true&country=IS',
    ]) {
      const whole = await get(`${path}&limit=1000`);
      expect(whole.body.nextCursor).toBeNull();
      expect(whole.body.totalRows).toBe(whole.body.rows.length);
      expect(whole.body.rows.length).toBeGreaterThan(2);
      const paged = await everyPage(path, 2);
      expect(paged).toEqual({ rows: whole.body.rows, totalRows: whole.body.totalRows });
    }
    // The clinic rows of one category are that category's, in clinic id order, and the funnel comes with each page.
    const first = await get('/v1/stats/clinics?category=allergic_reaction&country=IS&limit=1');
    expect(first.body.funnels).toHaveLength(1);
    expect(first.body.rows).toHaveLength(1);
    const second = await get(`/v1/stats/clinics?category=allergic_reaction&country=IS&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.funnels).toEqual(first.body.funnels);
    expect(second.body.rows[0].clinicId > first.body.rows[0].clinicId).toBe(true);
    // A cursor of another endpoint's, or a page too large, is a problem naming the parameter.
    const foreign = await get(`/v1/signals?cursor=${first.body.nextCursor}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    const huge = await get('/v1/stats/clinics?limit=1001');
    expect(huge.status).toBe(400);
    expect(huge.body.errors).toEqual([expect.objectContaining({ field: 'limit', message: 'limit must be a whole number from 1 to 1000' })]);
  });

  it('counts the terms of a field, most frequent first, and pages through all of them with a cursor', async () => {
    const first = await get('/v1/stats/count?field=category&country=IS&limit=2');
    expect(first.body).toEqual({
      field: 'category',
      totalTerms: 3,
      rows: [
        { term: 'allergic_reaction', count: 13 },
        { term: 'inflammation', count: 10 },
      ],
      nextCursor: expect.any(String),
    });
    const second = await get(`/v1/stats/count?field=category&country=IS&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ totalTerms: 3, rows: [{ term: 'infection', count: 2 }], nextCursor: null });
    const bySeverity = await get(`/v1/stats/count?field=severity&country=IS&serious=false`);
    expect(bySeverity.body.rows).toEqual([
      { term: 'moderate', count: 13 },
      { term: 'mild', count: 10 },
    ]);
    // A clinic key counts its own clinic only, and may not name another.
    const own = await get('/v1/stats/count?field=clinic', clinicA.key);
    expect(own.body.rows).toEqual([{ term: clinicA.clinicId, count: 11 }]);
    expect((await get(`/v1/stats/count?field=clinic&clinicId=${clinicB.clinicId}`, clinicA.key)).status).toBe(403);
    // Nor through CSV, or by paging.
    const csv = await fetch(`${system.insights}/v1/stats/count?field=clinic&limit=1`, {
      headers: { authorization: `Bearer ${clinicA.key}`, accept: 'text/csv' },
    });
    expect((await csv.text()).trim().split('\n')).toEqual(['term,count', `${clinicA.clinicId},11`]);
    const paged = await get('/v1/stats/count?field=category&limit=1', clinicA.key);
    expect(paged.body.totalTerms).toBe(3);
    const pages = [paged.body.rows];
    for (let cursor = paged.body.nextCursor; cursor;) {
      const next = await get(`/v1/stats/count?field=category&limit=1&cursor=${cursor}`, clinicA.key);
      pages.push(next.body.rows);
      cursor = next.body.nextCursor;
    }
    expect(pages.flat()).toEqual([
      { term: 'inflammation', count: 8 },
      { term: 'infection', count: 2 },
      { term: 'allergic_reaction', count: 1 },
    ]);
    const bad = await get('/v1/stats/count?field=category&cursor=bm90LWEtY3Vyc29y');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it('counts a report once for its clinic, country, month and outcome, once per severity, and once in each category it names', async () => {
    // Clinic D in San Marino (no other spec's country): two reports naming five complications between them.
    const clinicD = await registerClinic(system, 'Clinic D', 'SM');
    const effect = (category: string, severity: string) => ({ category, onsetDate: '2026-03-12', severity });
    const reports = [
      { effects: [effect('infection', 'mild'), effect('inflammation', 'mild')], outcome: 'recovered' },
      {
        effects: [effect('scarring', 'mild'), effect('allergic_reaction', 'moderate'), effect('infection', 'moderate')],
        outcome: 'recovered',
      },
    ];
    for (const body of reports) {
      const { status } = await call(`${system.intake}/v1/reports`, {
        body: { clinicId: clinicD.clinicId, procedureDate: '2026-03-10', reporter: { type: 'client' }, ...body },
      });
      expect(status).toBe(201);
    }
    const count = async (query: string) => (await get(`/v1/stats/count?${query}&country=SM&limit=1000`)).body.rows;
    await eventually(async () => ((await count('field=category')).length === 4 ? true : undefined), 30_000, "clinic D's reports");

    expect(await count('field=clinic')).toEqual([{ term: clinicD.clinicId, count: 2 }]);
    expect(await count('field=country')).toEqual([{ term: 'SM', count: 2 }]);
    expect(await count('field=month')).toEqual([{ term: '2026-03', count: 2 }]);
    expect(await count('field=outcome')).toEqual([{ term: 'recovered', count: 2 }]);
    expect(await count('field=severity')).toEqual([
      { term: 'mild', count: 2 },
      { term: 'moderate', count: 1 },
    ]);
    expect(await count('field=clinic&severity=moderate')).toEqual([{ term: clinicD.clinicId, count: 1 }]);
    expect(await count('field=category')).toEqual([
      { term: 'infection', count: 2 },
      { term: 'allergic_reaction', count: 1 },
      { term: 'inflammation', count: 1 },
      { term: 'scarring', count: 1 },
    ]);
    expect(await count('field=clinic&category=infection')).toEqual([{ term: clinicD.clinicId, count: 2 }]);
    expect(await count('field=severity&category=infection')).toEqual([
      { term: 'mild', count: 1 },
      { term: 'moderate', count: 1 },
    ]);
    // Without the country filter (the counts insights holds in memory) the same, for clinic D's row.
    const everyClinic = (await get('/v1/stats/count?field=clinic&limit=1000')).body.rows;
    expect(everyClinic.find((row: { term: string }) => row.term === clinicD.clinicId)).toEqual({ term: clinicD.clinicId, count: 2 });
  });

  it('answers every statistics endpoint in CSV when asked', async () => {
    const response = await fetch(`${system.insights}/v1/stats/count?field=category&country=IS`, {
      headers: { authorization: `Bearer ${regulatorKey}`, accept: 'text/csv' },
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await response.text()).trim().split('\n')).toEqual(['term,count', 'allergic_reaction,13', 'inflammation,10', 'infection,2']);
    for (const path of [
      `/v1/clinics/${clinicA.clinicId}/incidence`,
      '/v1/stats/clinics',
      '/v1/stats/pigments',
      '/v1/signals',
      '/v1/cases',
      '/v1/public/clinics',
      '/v1/public/pigments',
    ]) {
      const csv = await fetch(`${system.insights}${path}`, { headers: { authorization: `Bearer ${regulatorKey}`, accept: 'text/csv' } });
      expect(`${path} ${csv.status} ${csv.headers.get('content-type')}`).toMatch(/ 200 text\/csv/);
    }
    const funnel = await fetch(`${system.insights}/v1/stats/clinics?category=inflammation&country=IS`, {
      headers: { authorization: `Bearer ${regulatorKey}`, accept: 'text/csv' },
    });
    const [header] = (await funnel.text()).split('\n');
    expect(header).toBe('clinicId,name,country,category,procedures,reports,ratePer1000,ci95.lower,ci95.upper,z,band');
  });

  it('sends a kept answer gzipped to a client that accepts gzip, the same JSON as to one that does not', async () => {
    const path = '/v1/stats/clinics?country=IS';
    const raw = (acceptEncoding?: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers: Record<string, string> = { authorization: `Bearer ${regulatorKey}` };
        if (acceptEncoding) headers['accept-encoding'] = acceptEncoding;
        http
          .get(`${system.insights}${path}`, { headers }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const plain = await raw();
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    const clinics = JSON.parse(plain.body.toString('utf8'));
    expect(clinics.rows.map((row: { clinicId: string }) => row.clinicId)).toEqual(
      expect.arrayContaining([clinicA.clinicId, clinicB.clinicId]),
    );
    // Asked again, the answer is a kept one (unless the read models changed meanwhile): gzipped for a client that
    // accepts gzip.
    const zipped = await eventually(
      async () => {
        const response = await raw('gzip, deflate, br');
        return response.headers['content-encoding'] === 'gzip' ? response : undefined;
      },
      10_000,
      'a kept answer, gzipped',
    );
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(JSON.parse(gunzipSync(zipped.body).toString('utf8'))).toEqual(clinics);
    const refused = await raw('gzip;q=0, identity');
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.body.toString('utf8'))).toEqual(clinics);
    // The kept answer in CSV: its rows, read back from the kept bytes.
    const csv = await fetch(`${system.insights}${path}`, { headers: { authorization: `Bearer ${regulatorKey}`, accept: 'text/csv' } });
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(clinics.rows.length + 1);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(clinics.rows.map((row: { clinicId: string }) => row.clinicId));
  });

  it('lists serious cases with their deadlines, overdue first, without personal data; a clinic sees only its own', async () => {
    const { body } = await get(`/v1/cases?serious=true&clinicId=${clinicA.clinicId}`);
    // Infection is serious (MoCRA): A's two infection reports.
    expect(body.rows).toHaveLength(2);
    for (const row of body.rows) {
      expect(row).toMatchObject({ clinicId: clinicA.clinicId, categories: ['infection'], seriousReasons: ['infection'], status: 'due' });
      expect(row.reportingDueBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Object.keys(row).sort()).toEqual(
        [
          'caseId',
          'categories',
          'clinicId',
          'outcome',
          'pigmentId',
          'procedureDate',
          'reportingDueBy',
          'serious',
          'seriousReasons',
          'status',
          'version',
        ].sort(),
      );
    }
    const farAhead = await get(`/v1/cases?serious=true&clinicId=${clinicA.clinicId}&dueBefore=2000-01-01`);
    expect(farAhead.body).toMatchObject({ rows: [], totalRows: 0, nextCursor: null });
    // A page at a time, by cursor: the same cases in the same order.
    const onePerPage = [];
    for (let page = await get(`/v1/cases?serious=true&clinicId=${clinicA.clinicId}&limit=1`); ;) {
      expect(page.body.totalRows).toBe(2);
      onePerPage.push(...page.body.rows);
      if (!page.body.nextCursor) break;
      page = await get(`/v1/cases?serious=true&clinicId=${clinicA.clinicId}&limit=1&cursor=${page.body.nextCursor}`);
    }
    expect(onePerPage).toEqual(body.rows);
    const asClinicB = await get('/v1/cases?serious=true', clinicB.key);
    expect(asClinicB.body.rows.every((row: { clinicId: string }) => row.clinicId === clinicB.clinicId)).toBe(true);
    expect((await get(`/v1/cases?clinicId=${clinicA.clinicId}`, clinicB.key)).status).toBe(403);
  });

  it('shows the public per-clinic and per-pigment figures without a key, every count from 1 to 10 withheld', async () => {
    const clinics = await get('/v1/public/clinics?year=2026&limit=1000', null);
    expect(clinics.status).toBe(200);
    expect(clinics.body.nextCursor).toBeNull();
    expect(clinics.body.totalRows).toBe(clinics.body.rows.length);
    expect(clinics.body.suppression).toMatchObject({ threshold: { min: 1, max: 10 }, complementary: true });
    expect(clinics.body.suppression.explanation).toMatch(/1 to 10/);
    const a = clinics.body.rows.find((row: { clinicId: string }) => row.clinicId === clinicA.clinicId);
    const b = clinics.body.rows.find((row: { clinicId: string }) => row.clinicId === clinicB.clinicId);
    // A: 8, 2 and 1 are small; its total 11 and its 400 procedures may be shown.
    expect(a.categories.inflammation).toEqual({ reports: null, ratePer1000: null, suppressed: 'small_count' });
    expect(a.categories.allergic_reaction).toEqual({ reports: null, ratePer1000: null, suppressed: 'small_count' });
    expect(a.categories.scarring).toEqual({ reports: 0, ratePer1000: 0, suppressed: null });
    expect(a.procedures).toBe(400);
    // B: 2 inflammations are small; with B's total shown the 12 allergies would give them away, so one more figure goes.
    expect(b.categories.inflammation.reports).toBeNull();
    expect(b.categories.allergic_reaction.reports === null || b.reports === null).toBe(true);

    const pigments = await get('/v1/public/pigments?year=2026', null);
    expect(pigments.body.rows.find((row: { manufacturer: string }) => row.manufacturer === maker1)).toMatchObject({
      product: 'Alpha',
      procedures: 500,
    });
    // Nowhere in either response is a count from 1 to 10 shown.
    const shownCounts = (body: { rows: Array<Record<string, unknown>>; network: Record<string, unknown> }) =>
      [...body.rows, body.network].flatMap((row) => [
        row.reports,
        row.procedures,
        ...Object.values(row.categories as Record<string, { reports: number | null }>).map((cell) => cell.reports),
      ]);
    for (const count of [...shownCounts(clinics.body), ...shownCounts(pigments.body)]) {
      expect(count === null || count === 0 || (count as number) > 10).toBe(true);
    }
    const overlapping = await get('/v1/public/clinics?from=2026-01', null);
    expect(overlapping.status).toBe(400);
    // A page at a time, the same rows and the same network row, withheld figures and all.
    const pages = [];
    for (let page = await get('/v1/public/clinics?year=2026&limit=3', null); ;) {
      expect(page.body.network).toEqual(clinics.body.network);
      pages.push(...page.body.rows);
      if (!page.body.nextCursor) break;
      page = await get(`/v1/public/clinics?year=2026&limit=3&cursor=${page.body.nextCursor}`, null);
    }
    expect(pages).toEqual(clinics.body.rows);
  });

  it('never answers from before the latest change: a new report shows in an answer asked for a moment ago', async () => {
    const count = async () => (await get('/v1/stats/count?field=country&country=IS')).body.rows[0].count as number;
    // Clinic A's view of the network, which every clinic's incidence shares (computed once, kept like the answers).
    const networkSeenByA = async () => {
      const { body } = await get(`/v1/clinics/${clinicA.clinicId}/incidence?from=2026-03&to=2026-03&category=scarring`, clinicA.key);
      return {
        month: body.rows.find((row: { month: string }) => row.month === '2026-03').networkRatePer1000 as number,
        funnel: body.funnel[0].networkRatePer1000 as number,
      };
    };
    expect(await count()).toBe(25);
    expect(await count()).toBe(25);
    const before = await networkSeenByA();
    expect(await networkSeenByA()).toEqual(before);
    expect((await call(`${system.intake}/v1/reports`, { body: report(clinicB.clinicId, p2, 'scarring') })).status).toBe(201);
    await eventually(async () => ((await count()) === 26 ? true : undefined), 15_000, 'the 26th report in the count');
    // Clinic B's report reaches the network figures clinic A sees, in the month row and on the funnel: they come from
    // the year of clinic figures insights holds in memory, which it reloads when the projector's notification naming
    // 2026-03 arrives (it may arrive a moment after the one that refreshed the count, from another transaction).
    const after = await eventually(
      async () => {
        const seen = await networkSeenByA();
        return seen.month !== before.month ? seen : undefined;
      },
      5_000,
      "clinic B's report in the network figures",
    );
    expect(after.month).toBeGreaterThan(before.month);
    expect(after.funnel).toBeGreaterThan(before.funnel);
  });

  it('finds no difference between the read models and the intake when verified', async () => {
    const { code, output } = await runCli('verify');
    expect(output).toContain('0 differences');
    expect(code).toBe(0);
  });
});
