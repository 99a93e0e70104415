// Intake throughput and latency: autocannon POSTing valid, varied reports to the intake (50 connections),
// against a bare Node http + pg server that does one plain INSERT of the same report per request, on the
// same database, measured in the same run.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { formatNumber, round, row } from '../lib/results.mjs';
import { reportBodies } from '../lib/reports.mjs';
import { appUrl, benchPort, ensureApp, references, stopApp } from '../lib/system.mjs';
import { cpuMeter, microsEach } from '../lib/cpu-time.mjs';
import { profileOptions, summariseProfile } from '../lib/cpu-profile.mjs';

const CONNECTIONS = 50;
const SECONDS = 30;
const QUICK_SECONDS = 3;
const WARM_UP_SECONDS = 2;
const BARE_PORT = benchPort(23010);
const BARE_SERVER = fileURLToPath(new URL('../lib/bare-intake-server.mjs', import.meta.url));

export default async function intake(bench) {
  const domain = await bench.dist('libs/domain/src/index.js');
  // Nothing else of the system runs meanwhile: the intake (with its outbox relay) has the machine.
  await stopApp(bench, 'projector');
  await stopApp(bench, 'insights');
  const { clinicIds, pigmentIds } = await references(bench, domain);
  const bodies = reportBodies({
    clinicIds,
    pigmentIds,
    categories: domain.SIDE_EFFECT_CATEGORIES,
    severities: domain.SEVERITIES,
    outcomes: domain.OUTCOMES,
    reporterTypes: domain.REPORTER_TYPES,
  });
  const seconds = bench.quick ? QUICK_SECONDS : SECONDS;

  const bare = await startBareServer(bench);
  const baseline = await load(bench, `http://127.0.0.1:${BARE_PORT}`, bodies, seconds, 'bare http + pg', {
    server: [bare.pid],
    postgres: bench.postgresPids,
  });
  await bare.stop();

  // Profiled: a fresh intake that samples its CPU from start-up and writes the profile when it stops.
  const profiling = bench.profile ? profileOptions(path.join(bench.root, 'profiles'), `intake-${bench.runId}`) : null;
  if (profiling) await stopApp(bench, 'intake');
  const app = await ensureApp(bench, 'intake', profiling?.env);
  const measured = await load(bench, appUrl('intake'), bodies, seconds, 'intake', {
    server: [app.pid],
    postgres: bench.postgresPids,
  });
  if (profiling) {
    bench.apps.delete('intake');
    await app.stop(profiling.stopSignal);
    bench.log(summariseProfile(profiling.file));
  }

  const base = { name: 'bare http + pg, one INSERT per request', value: baseline.rate };
  return [
    row(base.name, base.value, 'reports/s'),
    row('bare http + pg p99 latency', baseline.p99, 'ms'),
    row('intake POST /v1/reports', measured.rate, 'reports/s', base),
    row('intake p50 latency', measured.p50, 'ms'),
    row('intake p99 latency', measured.p99, 'ms', { name: 'bare http + pg p99', value: baseline.p99 }),
    row('intake errors (non-2xx, timeouts)', measured.errors, 'requests'),
  ];
}

async function load(bench, url, bodies, seconds, label, processes) {
  const run = (duration, connections) =>
    autocannon({
      url,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/v1/reports',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.adminKey}` },
          setupRequest: (request) => ({ ...request, body: JSON.stringify(bodies()) }),
        },
      ],
    });
  await run(WARM_UP_SECONDS, 10);
  const cpu = cpuMeter(processes);
  const result = await run(seconds, CONNECTIONS);
  const used = cpu.stop();
  const ok = result['2xx'];
  const rate = round(ok / (result.duration || seconds));
  const errors = result.non2xx + result.errors + result.timeouts;
  bench.log(
    `${label}: ${formatNumber(ok)} × 201 in ${seconds} s = ${formatNumber(rate)} reports/s, p50 ${result.latency.p50} ms, ` +
      `p99 ${result.latency.p99} ms, ${errors} errors; CPU per report: server ${microsEach(used.server, ok)}, Postgres ${microsEach(used.postgres, ok)}`,
  );
  return { rate, p50: result.latency.p50, p99: result.latency.p99, errors };
}

async function startBareServer(bench) {
  const child = spawn(process.execPath, [BARE_SERVER], {
    env: { ...process.env, DATABASE_URL: bench.databaseUrl, PORT: String(BARE_PORT), POOL_SIZE: '20' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
  bench.defer(stop);
  for (let i = 0; i < 100; i++) {
    if (exited) throw new Error('the bare baseline server exited during start-up');
    try {
      if ((await fetch(`http://127.0.0.1:${BARE_PORT}/health`)).ok) return { pid: child.pid, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('the bare baseline server did not start');
}
