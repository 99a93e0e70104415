// Starts what the system needs (Postgres, Kafka) and the apps themselves, for
// `npm start`, `npm test` and the benchmark. Each piece is reused if it is
// already running, and left behind by a killed run is cleaned up.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CACHE, REPO_ROOT } from './setup.mjs';
import { ensureKafka, kafkaPrerequisiteProblem, stopKafka } from './kafka.mjs';
import { ensurePostgres, stopPostgres } from './postgres.mjs';

export const APPS = ['intake', 'projector', 'insights'];

/**
 * Postgres and Kafka: the ones named by DATABASE_URL / KAFKA_BROKERS when set,
 * otherwise embedded ones under `root` (a folder of .cache). The embedded ones
 * belong to the caller: stop() stops them even when they were found running,
 * left behind by an earlier run that was killed outright.
 */
export async function startInfrastructure({ root, postgresPort, kafkaPort, database = 'smp_vigil', env = process.env }) {
  const stops = [];
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = path.join(root, 'postgres', 'data');
    const postgres = await ensurePostgres({ dataDir, port: postgresPort, database });
    databaseUrl = postgres.url;
    stops.push(() => stopPostgres({ dataDir }));
  }
  let kafkaBrokers = env.KAFKA_BROKERS;
  if (!kafkaBrokers) {
    const problem = kafkaPrerequisiteProblem();
    if (problem) {
      await Promise.allSettled(stops.map((stop) => stop()));
      throw new Error(problem);
    }
    const dataDir = path.join(root, 'kafka', 'data');
    const kafka = await ensureKafka({ dataDir, port: kafkaPort, controllerPort: kafkaPort + 1 });
    kafkaBrokers = kafka.brokers;
    // By data directory, not pid: a fault test may have killed and restarted the broker meanwhile.
    stops.push(() => stopKafka({ dataDir }));
  }
  return {
    databaseUrl,
    kafkaBrokers,
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch((error) => console.error(error.message));
    },
  };
}

function isOurApp(pid, app) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`dist/apps/${app}/src/main.js`);
  } catch {
    return false;
  }
}

/** Kills an app left running by an earlier run that was killed outright. */
async function killLeftover(pidFile, app) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (pid && isOurApp(pid, app)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isOurApp(pid, app); i++) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

/**
 * V8 flags per app. Insights allocates fast (answers of thousands of rows), and so does the projector reading a backlog
 * (batches decoded ahead of Postgres); V8 otherwise lets a heap grow towards a quarter of the machine's memory before
 * collecting hard. A bound keeps the resident size near the working set (projector: peak RSS 338-370 MiB without, 215-228 with;
 * intake: 289 MiB over a full benchmark without, whose freshness load keeps a hundred requests in flight).
 * Insights' young generation is half V8's default (8 MB semi-spaces, not 16): 32 MB ones took its peak to 332-391 MiB
 * over a full benchmark once it held the read models in memory (tens of MB of typed arrays, outside the heap), 16 MB to
 * 285-301 MiB, over the 300 MB target. Since its answers no longer go through an rxjs pipeline (≈ 24 % less garbage a
 * request), 8 MB: 236.5 MiB against 267.4 at 16 MB in queries runs of stats/count and signals the same hour, repeated
 * views' p99 8-16 ms either way (12 MB gave 275.7 MiB in a slower quarter hour: peaks move ± 15 MiB between runs).
 * Session 15 tried 12 MB again: at 10× history, when a third to two thirds of the answers are computed, 8 MB semi-spaces
 * promote most of each answer's objects (32 requests wait in line while one is computed) and the old generation is marked
 * and compacted ≈ 6 times a second (≈ 15 % of the thread, `--trace-gc`). Four-endpoint queries runs the same hour
 * (insights' CPU per varied answer at 10×, 8 MB → 12 MB): stats/pigments 678-748 → 517-524 µs, stats/count 477-503 →
 * 341-409, signals 821-915 → 482-788; peak RSS 246.1-246.9 → 266.4-276.2 MiB (16 MB: 278.1 MiB, CPU as with 12;
 * `--heap-growing-percent=100` at 8 MB: 290.1 MiB, a smaller gain). But a full benchmark with 12 MB took insights to
 * 307.5 MiB, over the target: 8 MB it stays, until the memory it holds elsewhere shrinks.
 */
const NODE_FLAGS = {
  intake: ['--max-old-space-size=192'],
  insights: ['--max-old-space-size=192', '--max-semi-space-size=8'],
  projector: ['--max-old-space-size=160'],
};

/**
 * Starts one app from dist/ with the given environment, logging to
 * `logDir/<app>.log`, and resolves once its /health answers 200.
 */
export async function startApp(app, { env, port, runDir, logDir, timeoutMs = 60_000 }) {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const pidFile = path.join(runDir, `${app}.pid`);
  await killLeftover(pidFile, app);
  const logFile = path.join(logDir, `${app}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawn(process.execPath, [...(NODE_FLAGS[app] ?? []), path.join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', log, log],
  });
  writeFileSync(pidFile, String(child.pid));
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = code ?? signal;
    rmSync(pidFile, { force: true });
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`${app} exited (${exited}) during start-up; see ${logFile}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  if (exited === null && Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new Error(`${app} did not become healthy within ${timeoutMs / 1000} s; see ${logFile}`);
  }
  return {
    app,
    pid: child.pid,
    logFile,
    exited: () => exited !== null,
    stop: async (signal = 'SIGTERM') => {
      if (exited !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export const DEFAULT_CACHE = CACHE;
