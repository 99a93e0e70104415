// Freshness: at a steady 1,000 reports/s into the intake, the time from a report's 201 to the moment it
// is visible through insights (relay → Kafka → projector → read model → query). Probe reports (serious, so
// they are listed by GET /v1/cases) go to a clinic of their own, interleaved with the load; a poller
// asks insights for that clinic's cases until each probe shows.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { formatNumber, round, row } from '../lib/results.mjs';
import { reportBodies } from '../lib/reports.mjs';
import { appUrl, ensureApp, references } from '../lib/system.mjs';

const RATE = 1_000;
const PROBES_PER_SECOND = 20;
const SECONDS = 30;
const QUICK_SECONDS = 4;
const POLL_MS = 20;
const CATCH_UP_MS = 180_000;

export default async function freshness(bench) {
  const domain = await bench.dist('libs/domain/src/index.js');
  const { clinicIds, pigmentIds } = await references(bench, domain);
  await ensureApp(bench, 'projector');
  await ensureApp(bench, 'insights');
  const bodies = reportBodies({
    clinicIds,
    pigmentIds,
    categories: domain.SIDE_EFFECT_CATEGORIES,
    severities: domain.SEVERITIES,
    outcomes: domain.OUTCOMES,
    reporterTypes: domain.REPORTER_TYPES,
  });
  const probeClinic = await registerProbeClinic(bench);
  const seconds = bench.quick ? QUICK_SECONDS : SECONDS;

  // The projector first catches up with whatever came before (a probe seen means its partition is current).
  const first = await probe(bench, probeClinic);
  await visible(bench, probeClinic, new Map([[first.caseId, first]]), CATCH_UP_MS);

  const pending = new Map();
  const delays = [];
  let stop = false;
  const poller = (async () => {
    while (!stop || pending.size > 0) {
      if (pending.size > 0) {
        const seenAt = performance.now();
        for (const caseId of await listedCases(bench, probeClinic)) {
          const sent = pending.get(caseId);
          if (sent) {
            delays.push(seenAt - sent.answeredAt);
            pending.delete(caseId);
          }
        }
        if (stop && pending.size > 0 && performance.now() - pendingSince(pending) > 30_000) break;
      }
      await sleep(POLL_MS);
    }
  })();
  const prober = (async () => {
    const started = performance.now();
    for (let i = 0; performance.now() - started < seconds * 1000; i++) {
      const next = started + (i * 1000) / PROBES_PER_SECOND;
      await sleep(Math.max(0, next - performance.now()));
      void probe(bench, probeClinic).then((sent) => pending.set(sent.caseId, sent));
    }
  })();
  const load = await autocannon({
    url: appUrl('intake'),
    connections: 100,
    duration: seconds,
    overallRate: RATE - PROBES_PER_SECOND,
    requests: [
      {
        method: 'POST',
        path: '/v1/reports',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.adminKey}` },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(bodies()) }),
      },
    ],
  });
  await prober;
  await sleep(200);
  stop = true;
  await poller;

  const rate = round((load['2xx'] + delays.length + pending.size) / seconds);
  delays.sort((a, b) => a - b);
  const quantile = (q) => round(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? NaN);
  bench.log(
    `freshness: ${formatNumber(rate)} reports/s accepted (${load.non2xx + load.errors} errors), ${delays.length} probes seen, ` +
      `${pending.size} not seen within 30 s; 201 → visible p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms, max ${round(delays.at(-1) ?? NaN)} ms`,
  );
  return [
    row('freshness load (201s)', rate, 'reports/s'),
    row('freshness 201 → visible p50', quantile(0.5), 'ms'),
    row('freshness 201 → visible p99', quantile(0.99), 'ms'),
  ];
}

const pendingSince = (pending) => Math.min(...[...pending.values()].map((sent) => sent.answeredAt));

async function registerProbeClinic(bench) {
  const response = await fetch(`${appUrl('intake')}/v1/clinics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.adminKey}` },
    body: JSON.stringify({ name: 'Freshness probe clinic', country: 'DE' }),
  });
  if (response.status !== 201) throw new Error(`registering the probe clinic failed: ${response.status}`);
  return (await response.json()).clinicId;
}

/** A serious report (an infection) for the probe clinic; resolves with its case id and when its 201 came. */
async function probe(bench, clinicId) {
  const today = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const response = await fetch(`${appUrl('intake')}/v1/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.adminKey}` },
    body: JSON.stringify({
      clinicId,
      procedureDate: today,
      reporter: { type: 'client' },
      effects: [{ category: 'infection', onsetDate: today, severity: 'moderate' }],
    }),
  });
  const answeredAt = performance.now();
  const body = await response.json();
  if (response.status !== 201) throw new Error(`a probe report failed: ${response.status} ${JSON.stringify(body)}`);
  return { caseId: body.caseId, answeredAt };
}

/** Every case of the clinic insights lists, page by page. */
async function listedCases(bench, clinicId) {
  const listed = [];
  let cursor = null;
  do {
    const page = `limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await fetch(`${appUrl('insights')}/v1/cases?clinicId=${encodeURIComponent(clinicId)}&${page}`, {
      headers: { authorization: `Bearer ${bench.adminKey}` },
    });
    if (!response.ok) throw new Error(`GET /v1/cases: ${response.status} ${await response.text()}`);
    const body = await response.json();
    listed.push(...body.rows.map((r) => r.caseId));
    cursor = body.nextCursor;
  } while (cursor);
  return listed;
}

async function visible(bench, clinicId, sent, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = new Set(await listedCases(bench, clinicId));
    if ([...sent.keys()].every((caseId) => listed.has(caseId))) return;
    if (Date.now() > deadline) throw new Error(`a probe report did not become visible through insights within ${timeoutMs / 1000} s`);
    bench.progress.update('freshness: waiting for the projector to catch up…');
    await sleep(200);
  }
}
