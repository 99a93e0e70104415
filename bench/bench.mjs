// `npm run bench [-- --quick] [-- --only=projector] [-- --profile] [-- --no-build] [-- --endpoints=incidence,signals]` (`SMP_BENCH_SLOT=n`: ports +100 n): builds, starts a Postgres and a
// fresh Kafka broker of its own (ports 5444 and 29092, data under .cache/bench), runs each section,
// prints one table and writes the same rows to bench/latest.json.
//
// A section is a module in bench/sections/ whose default export takes the `bench` context below and
// returns its rows: { name, value, unit, baseline?: { name, value }, ratio? }. To add one, write the
// module and list it in SECTIONS.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CACHE, REPO_ROOT, build, ensureDependencies } from '../scripts/lib/setup.mjs';
import { postgresPids } from './lib/cpu-time.mjs';
import { createProgress } from './lib/progress.mjs';
import { formatTable } from './lib/results.mjs';
import { BENCH_SLOT, benchPort } from './lib/system.mjs';

const SECTIONS = ['projector', 'projector-pair', 'freshness', 'intake', 'queries', 'memory'];

const POSTGRES_PORT = benchPort(5444);
const KAFKA_PORT = benchPort(29092);
const ROOT = path.join(CACHE, BENCH_SLOT === 0 ? 'bench' : `bench-${BENCH_SLOT}`);
const LATEST = path.join(REPO_ROOT, 'bench', 'latest.json');

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    // The queries section measures only the endpoints whose name contains one of these (comma-separated), e.g. incidence,signals.
    endpoints: { type: 'string' },
    // Use dist/ as it is (e.g. built with `npx tsc -p tsconfig.build.json && npx tsc-alias -p tsconfig.build.json`).
    'no-build': { type: 'boolean', default: false },
  },
});
const selected = options.only ? options.only.split(',').map((name) => name.trim()) : SECTIONS;
const unknown = selected.filter((name) => !SECTIONS.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}.`);
  process.exit(2);
}

ensureDependencies();
if (!options['no-build']) build();
const { startApp, startInfrastructure } = await import('../scripts/lib/stack.mjs');
const { stopKafka } = await import('../scripts/lib/kafka.mjs');
const { default: pg } = await import('pg');
const { default: kafkajs } = await import('kafkajs');
// The built contracts use decorators with metadata, as the apps do (their main.ts imports it first).
await import('reflect-metadata');

// ---------------------------------------------------------------- clean-up, also on failure and Ctrl-C

const deferred = [];
let stopping;
const runCleanUp = async (fn) => {
  try {
    await fn();
  } catch (error) {
    console.error(`clean-up: ${error.message}`);
  }
};
/** Runs `fn` when the benchmark ends, however it ends; the last deferred runs first. */
const defer = (fn) => {
  // Something started while we were already stopping (e.g. after Ctrl-C) is stopped at once.
  if (stopping) void runCleanUp(fn);
  else deferred.push(fn);
};
const stopEverything = () =>
  (stopping ??= (async () => {
    while (deferred.length > 0) await runCleanUp(deferred.pop());
  })());

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!stopping) console.error(`\n${signal}: stopping what the benchmark started…`);
    stopEverything().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- run

const progress = createProgress(process.stderr);
let exitCode = 0;
try {
  const runId = Date.now();
  const database = `smp_bench_${runId}`;

  // A fresh broker each run, so no topic, offset or consumer group of an earlier run is counted.
  const kafkaDataDir = path.join(ROOT, 'kafka', 'data');
  await stopKafka({ dataDir: kafkaDataDir });
  rmSync(path.join(ROOT, 'kafka'), { recursive: true, force: true });
  // env: {} so that DATABASE_URL / KAFKA_BROKERS in the caller's shell never point the benchmark at
  // shared infrastructure, whose state it could neither control nor clean up.
  const infrastructure = await startInfrastructure({ root: ROOT, postgresPort: POSTGRES_PORT, kafkaPort: KAFKA_PORT, database, env: {} });
  defer(() => infrastructure.stop());
  defer(() => dropDatabase(infrastructure.databaseUrl, database));

  const kafka = new kafkajs.Kafka({
    clientId: 'smp-bench',
    brokers: infrastructure.kafkaBrokers.split(','),
    // Errors that matter reach us as exceptions; the log would only add retried ones (e.g. the group
    // coordinator of a new broker not being available for a moment).
    logLevel: kafkajs.logLevel.NOTHING,
  });

  const bench = {
    quick: options.quick,
    profile: options.profile,
    endpoints: options.endpoints ? options.endpoints.split(',').map((name) => name.trim()) : null,
    runId,
    root: ROOT,
    /** The processes of the benchmark's Postgres server (for cpuMeter). */
    postgresPids: () => postgresPids(path.join(ROOT, 'postgres', 'data')),
    databaseUrl: infrastructure.databaseUrl,
    kafkaBrokers: infrastructure.kafkaBrokers,
    kafka,
    /** Another database on the benchmark's server, dropped at the end. */
    createDatabase: async (name) => {
      const admin = new pg.Client({ connectionString: infrastructure.databaseUrl.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      defer(() => dropDatabase(infrastructure.databaseUrl, name));
      return infrastructure.databaseUrl.replace(/\/[^/]+$/, `/${name}`);
    },
    defer,
    progress,
    log: (line) => progress.log(line),
    /** A module of the build, e.g. dist('libs/contracts/src/index.js'). */
    dist: (file) => import(pathToFileURL(path.join(REPO_ROOT, 'dist', file)).href),
    /** A connected pg client on the benchmark's database (or `url`); ended at the end at the latest. */
    connectDatabase: async (url = infrastructure.databaseUrl) => {
      const client = new pg.Client({ connectionString: url });
      // Dropping the database at the end terminates the connection: that must not crash the process.
      client.on('error', () => {});
      await client.connect();
      defer(() => client.end());
      return client;
    },
    /** The bootstrap admin key the apps start with (SMP_ADMIN_KEY). */
    adminKey: `smpv_admin_${randomBytes(24).toString('base64url')}`,
    /** Peak RSS (VmHWM, KiB) of every app process started, by app, recorded when it stops. */
    peakRss: new Map(),
    /** Starts a built app against the benchmark's infrastructure; it is stopped at the end at the latest. */
    startApp: async (app, { port, env }) => {
      const running = await startApp(app, {
        env: {
          ...process.env,
          DATABASE_URL: infrastructure.databaseUrl,
          KAFKA_BROKERS: infrastructure.kafkaBrokers,
          LOG_LEVEL: 'warn',
          SMP_ADMIN_KEY: bench.adminKey,
          ...env,
        },
        port,
        runDir: path.join(ROOT, 'run', String(port)),
        logDir: path.join(ROOT, 'logs'),
      });
      const stop = running.stop;
      let stopped;
      running.stop = (signal) => {
        if (!stopped) {
          recordPeakRss(bench.peakRss, app, running.pid);
          stopped = stop(signal);
        }
        return stopped;
      };
      defer(() => running.stop());
      return running;
    },
  };

  const rows = [];
  for (const name of selected) {
    bench.log(`\n== ${name}${options.quick ? ' (quick)' : ''}`);
    const { default: runSection } = await import(`./sections/${name}.mjs`);
    const sectionStarted = performance.now();
    rows.push(...(await runSection(bench)));
    bench.log(`${name}: ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s`);
  }
  progress.clear();
  console.log(`\n${formatTable(rows)}`);
  await writeFile(LATEST, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`\n(also in ${path.relative(process.cwd(), LATEST)})`);
} catch (error) {
  progress.clear();
  // After Ctrl-C, whatever was running fails as its infrastructure goes away: no news.
  if (!stopping) console.error(`\nThe benchmark failed: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  await stopEverything();
}
process.exit(exitCode);

async function dropDatabase(url, name) {
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end().catch(() => {});
  }
}

function recordPeakRss(peaks, app, pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) peaks.set(app, Math.max(peaks.get(app) ?? 0, Number(match[1])));
  } catch {
    // already gone
  }
}
