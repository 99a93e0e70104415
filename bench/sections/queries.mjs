// Query latency: p99 of each insights endpoint with 1× and with 10× the history in the read models, at 32
// concurrent connections (the insights issue's load), in two ways: every request with other filters (the
// answer cache misses: the cost of the queries), and one view asked for again and again (what many people
// looking at the same page get: the cache answers).
// The history is written straight into the projector's tables (the queries read nothing else): clinics,
// pigments, procedures per clinic × pigment × month, the side-effect cube and the case table, over 24
// months (1×) and then over 240 months (10×). Each request draws its filters at random (months, category,
// country, seriousness, clinic, due date) so that insights' answer cache, which keeps answers until the read models
// change, misses as often as the endpoint's filters allow; the log gives the share of each run's requests that asked
// for a view not asked for before (at the same history): misses, at the least (a view asked for again misses too when
// the cache's budget has evicted it; the large all-clinic answers are evicted often). An endpoint with few filters (the public
// ones: a year) is answered from the cache once warm, however its filters are drawn.
import path from 'node:path';
import autocannon from 'autocannon';
import { formatNumber, round, row } from '../lib/results.mjs';
import { appUrl, ensureApp, stopApp } from '../lib/system.mjs';
import { seededRandom } from '../lib/random.mjs';
import { profileOptions, summariseProfile } from '../lib/cpu-profile.mjs';
import { cpuMeter, microsEach } from '../lib/cpu-time.mjs';

const CONNECTIONS = 32;
const SECONDS = 10;
/**
 * --quick measures a number of requests rather than a time, and autocannon looks whether it is done every 100 ms
 * instead of every second (`sampleInt`): otherwise each of the quick run's 48 loads took a second at least, and they
 * did not fit its two minutes.
 */
const QUICK_REQUESTS = { warmUp: 100, varied: 600, repeated: 2_000 };
/** A request still unanswered after this is an error (autocannon's default, 10 s, cut the slowest computed answers short). */
const TIMEOUT_SECONDS = 60;
/** Before each endpoint is measured it gets this long of the same load, unrecorded (see warmUp)... */
const WARM_UP_SECONDS = 15;
/** ...whose first seconds' p99 is logged: the cold figure. */
const COLD_SECONDS = 3;

export default async function queries(bench) {
  const domain = await bench.dist('libs/domain/src/index.js');
  // The intake makes the API keys (SMP_ADMIN_KEY) and the projector owns (and migrates) the read models;
  // nothing may change them while queries are measured.
  await ensureApp(bench, 'intake');
  await ensureApp(bench, 'projector');
  await stopApp(bench, 'projector');
  await stopApp(bench, 'intake');
  const shape = bench.quick ? { clinics: 100, pigments: 40 } : { clinics: 1000, pigments: 200 };
  const db = await bench.connectDatabase();
  const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1));
  await writeHistory(bench, db, { ...shape, months: 24, lastMonth, offset: 0 });
  // Profiled (--profile): an insights that samples its CPU from start-up and writes the profile when it stops.
  const profiling = bench.profile ? profileOptions(path.join(bench.root, 'profiles'), `insights-${bench.runId}`) : null;
  if (profiling) await stopApp(bench, 'insights');
  const insights = await ensureApp(bench, 'insights', profiling?.env);

  const months = (count) => Array.from({ length: count }, (_, i) => monthString(lastMonth, -i));
  const endpoints = endpointsFor(domain, shape).filter(
    (endpoint) => !bench.endpoints || bench.endpoints.some((name) => endpoint.name.includes(name)),
  );
  const at1 = await measureAll(bench, endpoints, months(24), '1×');
  // 10×: nine times as many months again, further back.
  await writeHistory(bench, db, {
    ...shape,
    months: 216,
    lastMonth: new Date(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() - 24, 1)),
    offset: 24,
  });
  await db.query(`NOTIFY smp_read_models_changed`);
  const at10 = await measureAll(bench, endpoints, months(240), '10×');
  if (profiling) {
    bench.apps.delete('insights');
    await insights.stop(profiling.stopSignal);
    bench.log(summariseProfile(profiling.file));
  }
  // Bytes per row, table and indexes together, for the national-scale estimate in docs/SCALING.md.
  const { rows: sizes } = await db.query(
    `SELECT t AS table, (SELECT count(*) FROM pg_class WHERE false) AS _, pg_total_relation_size(('projector.' || t)::regclass) AS bytes,
            (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM projector.' || t, false, true, '')))[1]::text::bigint AS n
       FROM unnest(ARRAY['side_effect_counts', 'clinic_category_month', 'pigment_category_month', 'report_term_month', 'procedures_month', 'cases']) AS t`,
  );
  bench.log(
    `read-model sizes at 10× history: ${sizes
      .map(
        (size) => `${size.table} ${formatNumber(Number(size.n))} rows × ${Math.round(Number(size.bytes) / Math.max(1, Number(size.n)))} B`,
      )
      .join(', ')}`,
  );
  await db.end();

  const rows = [];
  // A figure no request finished in is a lower bound, and says so.
  const unit = (result) => (result.unanswered ? 'ms, at least (none answered)' : 'ms');
  for (const endpoint of endpoints) {
    const one = at1.get(endpoint.name);
    const ten = at10.get(endpoint.name);
    rows.push(row(`query p99 ${endpoint.name}, varied filters (1× history)`, one.varied.p99, unit(one.varied)));
    rows.push(
      row(`query p99 ${endpoint.name}, varied filters (10× history)`, ten.varied.p99, unit(ten.varied), {
        name: '1× history',
        value: one.varied.p99,
      }),
    );
    rows.push(row(`query p99 ${endpoint.name}, one view repeated (1× history)`, one.repeated.p99, unit(one.repeated)));
    rows.push(
      row(`query p99 ${endpoint.name}, one view repeated (10× history)`, ten.repeated.p99, unit(ten.repeated), {
        name: '1× history',
        value: one.repeated.p99,
      }),
    );
  }
  return rows;
}

const monthString = (base, delta) => new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + delta, 1)).toISOString().slice(0, 7);

function endpointsFor(domain, { clinics }) {
  const random = seededRandom(11);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const clinicId = () => `QCL-${String(1 + Math.floor(random() * clinics)).padStart(5, '0')}`;
  // A random window of 1-12 months inside the history, sometimes none (all time).
  const window = (months) => {
    if (random() < 0.2) return '';
    const a = Math.floor(random() * months.length);
    const b = Math.min(months.length - 1, a + Math.floor(random() * 12));
    return `from=${months[b]}&to=${months[a]}`;
  };
  const category = () => (random() < 0.5 ? `&category=${pick(domain.SIDE_EFFECT_CATEGORIES)}` : '');
  const country = () => (random() < 0.3 ? `&country=${pick(COUNTRIES)}` : '');
  const serious = () => (random() < 0.4 ? `&serious=${random() < 0.5}` : '');
  // A due date within the two years before the history's last month, or none.
  const dueBefore = (months) =>
    random() < 0.5 ? `&dueBefore=${pick(months.slice(0, 24))}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}` : '';
  const year = (months) => `year=${pick(months).slice(0, 4)}`;
  return [
    { name: 'GET /v1/clinics/{id}/incidence', path: (m) => `/v1/clinics/${clinicId()}/incidence?${window(m)}${category()}` },
    { name: 'GET /v1/stats/clinics', path: (m) => `/v1/stats/clinics?${window(m)}${category()}${country()}` },
    { name: 'GET /v1/stats/pigments', path: (m) => `/v1/stats/pigments?${window(m)}${category()}${country()}` },
    {
      name: 'GET /v1/stats/count',
      path: (m) =>
        `/v1/stats/count?field=${pick(['category', 'manufacturer', 'product', 'batch', 'country', 'clinic', 'month', 'outcome', 'severity'])}&${window(m)}${category()}${serious()}`,
    },
    { name: 'GET /v1/signals', path: (m) => `/v1/signals?${window(m)}${category()}` },
    { name: 'GET /v1/public/clinics', path: (m) => `/v1/public/clinics?${year(m)}` },
    { name: 'GET /v1/public/pigments', path: (m) => `/v1/public/pigments?${year(m)}` },
    { name: 'GET /v1/cases', path: (m) => `/v1/cases?clinicId=${clinicId()}${dueBefore(m)}` },
  ];
}

const COUNTRIES = ['DE', 'FR', 'NL', 'AT', 'BE'];

async function measureAll(bench, endpoints, months, label) {
  const results = new Map();
  for (const endpoint of endpoints) {
    // The views asked for so far at this history: only a view asked for again can be answered from the cache (the read
    // models do not change during the section), so the share of new views the log gives is a lower bound on the misses.
    const seen = new Set();
    const drawn = { requests: 0, fresh: 0 };
    const path = () => {
      const view = endpoint.path(months);
      drawn.requests++;
      if (!seen.has(view)) {
        seen.add(view);
        drawn.fresh++;
      }
      return view;
    };
    await warmUp(bench, endpoint, path, label);
    drawn.requests = drawn.fresh = 0;
    const varied = await measure(bench, endpoint, path, `${label} history, varied filters`, quickOr(bench, 'varied'), drawn);
    const view = endpoint.path(months);
    // Steady state: the view has been asked for once before (the cold first answer is what "varied filters" measures).
    await (await fetch(`${appUrl('insights')}${view}`, { headers: { authorization: `Bearer ${bench.adminKey}` } })).arrayBuffer();
    const repeated = await measure(bench, endpoint, () => view, `${label} history, one view repeated`, quickOr(bench, 'repeated'));
    results.set(endpoint.name, { varied, repeated });
  }
  return results;
}

/**
 * The same load as the figure's, unrecorded, until the process is warm: JIT, pools, and the years of tallies the
 * answers read, which load on first use (after the history grew tenfold, the first answers over all 20 years wait
 * seconds for them: a one-off after such a change, not what the 10× figure is about; 2 s of warm-up left most of it in
 * the figure, 15 s none). The log gives the p99 of the first COLD_SECONDS of it, the cold figure.
 */
async function warmUp(bench, endpoint, path, label) {
  const cold = await measure(bench, endpoint, path, null, quickOr(bench, 'warmUp', { duration: COLD_SECONDS }));
  if (!bench.quick) await measure(bench, endpoint, path, null, { duration: WARM_UP_SECONDS - COLD_SECONDS });
  const first = bench.quick ? `${QUICK_REQUESTS.warmUp} requests` : `${COLD_SECONDS} s`;
  bench.log(`${label} history, first ${first} of warm-up, ${endpoint.name}: ${cold.p99 === null ? 'none answered' : `p99 ${cold.p99} ms`}`);
}

/** How long a measurement runs: `{ duration }` in seconds, or with --quick an `amount` of requests (QUICK_REQUESTS). */
const quickOr = (bench, kind, full = { duration: SECONDS }) => (bench.quick ? { amount: QUICK_REQUESTS[kind], sampleInt: 100 } : full);

/** p99 of `endpoint` under `load` (see quickOr); with no `label`, a warm-up: not logged. */
async function measure(bench, endpoint, path, label, load, drawn = null) {
  let failure;
  // Where the cores went (steadier than a p99 on a shared machine): insights' and Postgres' CPU per answer.
  const cpu = cpuMeter({
    insights: [bench.apps.get('insights').pid],
    postgres: bench.postgresPids,
  });
  const lookupsBefore = label === null ? null : await answerLookups(bench);
  const result = await autocannon({
    url: appUrl('insights'),
    connections: CONNECTIONS,
    ...load,
    timeout: TIMEOUT_SECONDS,
    // As the dashboard's browser asks: a kept answer comes gzipped.
    headers: { authorization: `Bearer ${bench.adminKey}`, 'accept-encoding': 'gzip, deflate, br' },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: path() }),
        onResponse: (status, body) => {
          if (status >= 300 && !failure) failure = `${status} ${String(body).slice(0, 300)}`;
        },
      },
    ],
  });
  const errors = result.non2xx + result.errors + result.timeouts;
  const used = cpu.stop();
  await settle();
  const lookups = lookupsBefore && difference(await answerLookups(bench), lookupsBefore);
  // A round no request finished in has no p99 (autocannon says 0).
  if (label === null) return { p99: result['2xx'] === 0 ? null : result.latency.p99 };
  bench.log(
    `${label}, ${endpoint.name}: ${formatNumber(result['2xx'])} answers, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms` +
      (errors > 0 ? `, ${errors} errors (e.g. ${failure})` : '') +
      (drawn
        ? `; ${round((100 * drawn.fresh) / Math.max(1, drawn.requests), 1)} % of ${formatNumber(drawn.requests)} requests new views (cache misses; a repeat misses too once the cache's budget evicted it)`
        : '') +
      (lookups
        ? `; answers computed ${share(lookups.answers.miss, lookups.answers)}, joined in flight ` +
          `${share(lookups.answers.shared, lookups.answers)}, kept ${share(lookups.answers.hit, lookups.answers)} ` +
          `(parts computed: ${formatNumber(lookups.parts.miss)} of ${formatNumber(lookups.parts.hit + lookups.parts.miss + lookups.parts.shared)})`
        : '') +
      `; CPU per answer: insights ${microsEach(used.insights, result['2xx'])}, Postgres ${microsEach(used.postgres, result['2xx'])}`,
  );
  // No answer at all within the run (every request slower than that): autocannon says p99 0; it is at least the run.
  if (result['2xx'] === 0) return { p99: (load.duration ?? TIMEOUT_SECONDS) * 1000, errors, unanswered: true };
  return { p99: round(result.latency.p99, 1), errors };
}

/** Insights' cache lookups so far, by shelf and outcome (its /metrics: smp_insights_cache_lookups_total). */
async function answerLookups(bench) {
  const text = await (await fetch(`${appUrl('insights')}/metrics`, { headers: { authorization: `Bearer ${bench.adminKey}` } })).text();
  const count = (shelf, outcome) =>
    Number(new RegExp(`^smp_insights_cache_lookups_total\\{shelf="${shelf}",outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const lookups = (shelf) => ({ hit: count(shelf, 'hit'), miss: count(shelf, 'miss'), shared: count(shelf, 'shared') });
  return { answers: lookups('answers'), parts: lookups('parts') };
}

const difference = (after, before) =>
  Object.fromEntries(
    Object.entries(after).map(([shelf, counts]) => [
      shelf,
      { hit: counts.hit - before[shelf].hit, miss: counts.miss - before[shelf].miss, shared: counts.shared - before[shelf].shared },
    ]),
  );
const share = (part, { hit, miss, shared }) => `${round((100 * part) / Math.max(1, hit + miss + shared), 1)} %`;

/**
 * Waits until insights has finished the computations of the requests autocannon abandoned when its run ended (its
 * event loop is then free: /health answers at once three times running), so that they do not weigh on the next figure.
 */
async function settle() {
  const deadline = Date.now() + 15_000;
  let quick = 0;
  while (quick < 3 && Date.now() < deadline) {
    const started = performance.now();
    await (await fetch(`${appUrl('insights')}/health`)).arrayBuffer();
    quick = performance.now() - started < 20 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `months` months of history ending at `lastMonth`: per clinic three pigments, procedures every month with
 * each, about six side-effect cells and two cases a month.
 */
async function writeHistory(bench, db, { clinics, pigments, months, lastMonth, offset }) {
  const started = performance.now();
  const first = new Date(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() - (months - 1), 1)).toISOString().slice(0, 10);
  await db.query(
    `INSERT INTO projector.clinics (clinic_id, name, country)
     SELECT 'QCL-' || lpad(i::text, 5, '0'), 'Query clinic ' || i, ($2::text[])[1 + i % 5] FROM generate_series(1, $1) AS i
     ON CONFLICT DO NOTHING`,
    [clinics, COUNTRIES],
  );
  await db.query(
    `INSERT INTO projector.pigments (pigment_id, manufacturer, product, batch)
     SELECT 'QPG-' || lpad(i::text, 5, '0'), 'Maker ' || (1 + i % 8), 'Ink ' || (1 + i % 5), 'QB-' || i FROM generate_series(1, $1) AS i
     ON CONFLICT DO NOTHING`,
    [pigments],
  );
  // Months m = 0 … months-1 from `first`; the clinic's pigments are fixed: (c * 7 + k * 13) % pigments.
  await db.query(
    `INSERT INTO projector.procedures_month (clinic_id, pigment_id, procedure_month, procedures)
     SELECT 'QCL-' || lpad(c::text, 5, '0'), 'QPG-' || lpad((1 + (c * 7 + k * 13) % $2)::text, 5, '0'),
            ($3::date + make_interval(months => m))::date, 20 + ((c * 31 + m * 17 + k) % 100)
       FROM generate_series(1, $1) c, generate_series(0, $4 - 1) m, generate_series(0, 2) k
     ON CONFLICT DO NOTHING`,
    [clinics, pigments, first, months],
  );
  await db.query(
    // About half the cells' side effects count their reports across categories, two thirds per severity.
    `INSERT INTO projector.side_effect_counts (clinic_id, pigment_id, category, procedure_month, severity, outcome, reports, serious,
                                               cases, serious_cases, severity_cases, severity_serious_cases)
     SELECT clinic_id, pigment_id, category, procedure_month, severity, outcome, reports, serious,
            CASE WHEN j % 2 = 0 THEN reports ELSE 0 END, CASE WHEN j % 2 = 0 THEN serious ELSE 0 END,
            CASE WHEN j % 3 <> 2 THEN reports ELSE 0 END, CASE WHEN j % 3 <> 2 THEN serious ELSE 0 END
       FROM (SELECT j, 'QCL-' || lpad(c::text, 5, '0') AS clinic_id, 'QPG-' || lpad((1 + (c * 7 + (j % 3) * 13) % $2)::text, 5, '0') AS pigment_id,
                    ($5::text[])[1 + (c + m * 3 + j * 5) % cardinality($5::text[])] AS category,
                    ($3::date + make_interval(months => m))::date AS procedure_month,
                    ($6::text[])[1 + (c + j) % 3] AS severity, ($7::text[])[1 + (m + j) % cardinality($7::text[])] AS outcome,
                    1 + (c + m + j) % 3 AS reports, CASE WHEN (c + m + j) % 5 = 0 THEN 1 ELSE 0 END AS serious
               FROM generate_series(1, $1) c, generate_series(0, $4 - 1) m, generate_series(0, 5) j) cell
     ON CONFLICT DO NOTHING`,
    [clinics, pigments, first, months, CATEGORIES, ['mild', 'moderate', 'severe'], ['', 'recovered', 'recovering', 'not_recovered']],
  );
  // The per-clinic and per-pigment rollups, as the projector keeps them beside the cube: the sums of the cube's
  // cells of this stretch of history.
  for (const subject of ['clinic', 'pigment']) {
    await db.query(
      `INSERT INTO projector.${subject}_category_month AS t (${subject}_id, category, procedure_month, reports, serious)
       SELECT ${subject}_id, category, procedure_month, sum(reports), sum(serious)
         FROM projector.side_effect_counts
        WHERE clinic_id LIKE 'QCL-%' AND ${subject}_id <> '' AND procedure_month >= $1::date
          AND procedure_month < ($1::date + make_interval(months => $2))::date
        GROUP BY 1, 2, 3
       ON CONFLICT (${subject}_id, category, procedure_month)
       DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious`,
      [first, months],
    );
  }
  // And the per-term rollup of reports (each once), from the cube's case columns.
  await db.query(
    `INSERT INTO projector.report_term_month AS t (subject, term, procedure_month, reports, serious)
     SELECT v.subject, v.term, c.procedure_month, sum(v.reports), sum(v.serious)
       FROM projector.side_effect_counts c
      CROSS JOIN LATERAL (VALUES ('clinic', c.clinic_id, c.cases, c.serious_cases), ('pigment', c.pigment_id, c.cases, c.serious_cases),
                                 ('outcome', c.outcome, c.cases, c.serious_cases), ('month', '', c.cases, c.serious_cases),
                                 ('severity', c.severity, c.severity_cases, c.severity_serious_cases)) AS v(subject, term, reports, serious)
      WHERE c.clinic_id LIKE 'QCL-%' AND c.procedure_month >= $1::date AND c.procedure_month < ($1::date + make_interval(months => $2))::date
      GROUP BY 1, 2, 3
     ON CONFLICT (subject, term, procedure_month)
     DO UPDATE SET reports = t.reports + excluded.reports, serious = t.serious + excluded.serious`,
    [first, months],
  );
  await db.query(
    `INSERT INTO projector.cases (case_id, case_version, clinic_id, pigment_id, procedure_date, serious, serious_reasons,
                                  reporting_due_by, outcome, nullified, categories)
     SELECT format('SMP-Q%s-%s', $5::int, lpad((c * 10000 + m * 2 + j)::text, 9, '0')), 1, 'QCL-' || lpad(c::text, 5, '0'),
            'QPG-' || lpad((1 + (c * 7) % $2)::text, 5, '0'), ($3::date + make_interval(months => m, days => j * 9))::date,
            j = 0, CASE WHEN j = 0 THEN ARRAY['infection'] ELSE ARRAY[]::text[] END,
            CASE WHEN j = 0 THEN ($3::date + make_interval(months => m, days => 20))::date END, NULL, false, ARRAY['infection']
       FROM generate_series(1, $1) c, generate_series(0, $4 - 1) m, generate_series(0, 1) j
     ON CONFLICT DO NOTHING`,
    [clinics, pigments, first, months, offset],
  );
  await db.query(
    'ANALYZE projector.procedures_month, projector.side_effect_counts, projector.cases, projector.clinics, projector.pigments',
  );
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM projector.side_effect_counts)::int AS cells, (SELECT count(*) FROM projector.procedures_month)::int AS procedures,
            (SELECT count(*) FROM projector.cases)::int AS cases`,
  );
  bench.log(
    `history: ${formatNumber(rows[0].cells)} cube cells, ${formatNumber(rows[0].procedures)} procedure rows, ${formatNumber(rows[0].cases)} cases ` +
      `(written in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

const CATEGORIES = ['infection', 'allergic_reaction', 'pigment_migration', 'discoloration', 'inflammation', 'scarring', 'other'];
