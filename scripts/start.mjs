// `npm start`: installs what is missing, starts Postgres and Kafka (embedded
// unless DATABASE_URL / KAFKA_BROKERS say otherwise), builds, starts the
// three apps and prints their URLs. Ctrl-C stops everything it started.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE, build, ensureDependencies } from './lib/setup.mjs';

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

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.error('\nStopping…');
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
  };
  const logDir = path.join(CACHE, 'logs');
  // Intake and the projector own their schemas and migrate them on start; insights reads the projector's.
  for (const app of APPS) {
    if (stopping) break;
    started.push(await startApp(app, { env, port: ports[app], runDir: path.join(CACHE, 'run'), logDir }));
  }
  console.log(`
SMP Vigil is running (ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s).
  intake    http://127.0.0.1:${ports.intake}    POST /v1/reports
  insights  http://127.0.0.1:${ports.insights}    GET /v1/clinics/{clinicId}/incidence
  projector http://127.0.0.1:${ports.projector}/health
  admin key ${env.SMP_ADMIN_KEY}   (Authorization: Bearer <key>)
  Postgres  ${infrastructure.databaseUrl}
  Kafka     ${infrastructure.kafkaBrokers}
  logs      ${logDir}
Press Ctrl-C to stop.`);
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

/** Without SMP_ADMIN_KEY, a local admin key is made once and kept in .cache/admin-key (git-ignored). */
function localAdminKey() {
  const file = path.join(CACHE, 'admin-key');
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(file, `smpv_admin_${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
