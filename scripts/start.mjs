// `npm start`: installs what is missing, starts Postgres and Kafka (embedded
// unless DATABASE_URL / KAFKA_BROKERS say otherwise), builds, starts the
// three apps and prints their URLs. Ctrl-C stops everything it started.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CACHE, REPO_ROOT, build, ensureDependencies } from './lib/setup.mjs';

ensureDependencies();
build();
const { APPS, startApp, startInfrastructure } = await import('./lib/stack.mjs');

const ports = {
  intake: Number(process.env.INTAKE_PORT ?? 3000),
  insights: Number(process.env.INSIGHTS_PORT ?? 3001),
  projector: Number(process.env.PROJECTOR_PORT ?? 3002),
};
const started = [];
let infrastructure;
let stopping = false;
/** The demo seed while it runs. */
let seeding;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.error('\nStopping…');
  seeding?.kill('SIGTERM');
  for (const app of started.reverse()) await app.stop();
  await infrastructure?.stop();
  console.error('Stopped.');
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

try {
  const startedAt = Date.now();
  infrastructure = await startInfrastructure({ root: CACHE, postgresPort: 5433, kafkaPort: 9092 });
  const env = {
    ...process.env,
    SMP_ADMIN_KEY: process.env.SMP_ADMIN_KEY ?? localAdminKey(),
    DATABASE_URL: infrastructure.databaseUrl,
    KAFKA_BROKERS: infrastructure.kafkaBrokers,
    INTAKE_PORT: String(ports.intake),
    INSIGHTS_PORT: String(ports.insights),
    PROJECTOR_PORT: String(ports.projector),
    // The dashboard (served by insights) calls intake from the browser: intake must allow the insights origin.
    CORS_ORIGINS: process.env.CORS_ORIGINS ?? `http://127.0.0.1:${ports.insights},http://localhost:${ports.insights}`,
    INTAKE_PUBLIC_URL: process.env.INTAKE_PUBLIC_URL ?? `http://127.0.0.1:${ports.intake}`,
  };
  const logDir = path.join(CACHE, 'logs');
  // Intake and the projector own their schemas and migrate them on start; insights reads the projector's.
  for (const app of APPS) {
    if (stopping) break;
    started.push(await startApp(app, { env, port: ports[app], runDir: path.join(CACHE, 'run'), logDir }));
  }
  const demo = process.env.SMP_DEMO === '0' || stopping ? null : await startDemoSeed(env, logDir);
  console.log(`
SMP Vigil is running (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s).
  dashboard http://127.0.0.1:${ports.insights}/    report a complication: http://127.0.0.1:${ports.insights}/report/
  intake    http://127.0.0.1:${ports.intake}    POST /v1/reports
  insights  http://127.0.0.1:${ports.insights}    GET /v1/clinics/{clinicId}/incidence
${demo?.banner ?? ''}  projector http://127.0.0.1:${ports.projector}/health
  admin key ${env.SMP_ADMIN_KEY}   (Authorization: Bearer <key>)
  Postgres  ${infrastructure.databaseUrl}
  Kafka     ${infrastructure.kafkaBrokers}
  logs      ${logDir}
Press Ctrl-C to stop.`);
  demo?.finished.then((line) => line && console.log(line));
  setInterval(() => {
    const dead = started.find((app) => app.exited());
    if (dead && !stopping) {
      console.error(`${dead.app} stopped unexpectedly; see ${dead.logFile}`);
      void shutdown(1);
    }
  }, 1000);
} catch (error) {
  console.error(`\nnpm start failed: ${error.message}`);
  await shutdown(1);
}

/**
 * Demo data (unless SMP_DEMO=0): `seed --if-empty` through the intake API, in the background. Resolves as soon as the
 * demo keys exist (the registries and keys come first, in about a second), with the lines to print; the procedures and
 * reports keep going and `finished` resolves with the seed's summary. A database that already has clinics is left as it
 * is, and the keys kept in .cache/demo-keys.json are printed again when they still belong to it.
 */
async function startDemoSeed(env, logDir) {
  const keysFile = path.join(CACHE, 'demo-keys.json');
  const logFile = path.join(logDir, 'seed.log');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'dist/apps/cli/src/main.js'),
      'seed',
      '--if-empty',
      '--intake',
      `http://127.0.0.1:${ports.intake}`,
      '--keys-file',
      keysFile,
    ],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  seeding = child;
  child.stderr.pipe(log, { end: false });
  let summary = null;
  let announced = false;
  let alreadySeeded = false;
  let exitCode = null;
  child.once('exit', (code) => (exitCode = code));
  const keysReady = new Promise((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(`${line}\n`);
      if (line.startsWith('demo keys: ')) {
        announced = true;
        resolve();
      }
      if (line.startsWith('seeded: ')) summary = line;
      if (line.startsWith('seed: the database already has clinics')) alreadySeeded = true;
    });
    child.once('exit', resolve);
  });
  const finished = new Promise((resolve) =>
    child.once('exit', (code) => {
      seeding = undefined;
      log.end();
      if (stopping) return resolve(null);
      if (code !== 0) return resolve(`Demo data: the seed failed (exit ${code}); see ${logFile}`);
      resolve(summary ? `Demo data ready: ${summary.slice('seeded: '.length)}` : null);
    }),
  );
  await keysReady;
  if (!announced) {
    await finished;
    const why = exitCode === 0 ? `the database already has clinics that ${keysFile} does not belong to` : `the seed failed; see ${logFile}`;
    return { banner: `  demo data  none: ${why}\n`, finished: Promise.resolve(null) };
  }
  let keys;
  try {
    keys = JSON.parse(readFileSync(keysFile, 'utf8'));
  } catch {
    return { banner: `  demo keys: ${keysFile} could not be read\n`, finished };
  }
  const note = alreadySeeded ? 'demo data already in the database' : `demo data is still being sent in the background (log: ${logFile})`;
  return {
    banner: `  demo keys clinic    ${keys.clinic.key}   (${keys.clinic.name}, ${keys.clinic.clinicId})
            regulator ${keys.regulator.key}
            sign in with either on the dashboard; all demo keys are in ${keysFile}; ${note}
`,
    finished,
  };
}

/** Without SMP_ADMIN_KEY, a local admin key is made once and kept in .cache/admin-key (git-ignored). */
function localAdminKey() {
  const file = path.join(CACHE, 'admin-key');
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(file, `smpv_admin_${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
