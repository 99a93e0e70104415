// `npm test`: installs, builds, starts a throw-away Postgres database and a
// fresh Kafka broker of its own (never the ones `npm start` uses), runs every
// level of test — unit, integration against the real Postgres and Kafka, and
// end to end against the running apps — and exits non-zero on any failure.
// Extra arguments go to jest: `npm test -- libs/domain`.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CACHE, REPO_ROOT, build, ensureChromium, ensureDependencies, lint } from './lib/setup.mjs';

ensureDependencies();
build();
lint();
ensureChromium();
const { startInfrastructure } = await import('./lib/stack.mjs');
const { stopKafka } = await import('./lib/kafka.mjs');

// SMP_TEST_SLOT=n gives a second checkout or worker its own directory and ports, so two runs never share a broker.
const slot = Number(process.env.SMP_TEST_SLOT ?? 0);
const root = path.join(CACHE, slot ? `test-${slot}` : 'test');
const kafkaDataDir = path.join(root, 'kafka', 'data');
if (!process.env.TEST_KAFKA_BROKERS) {
  // A fresh broker each run: no topic, offset or consumer group from an earlier run.
  await stopKafka({ dataDir: kafkaDataDir });
  rmSync(path.join(root, 'kafka'), { recursive: true, force: true });
}

const database = `smp_test_${Date.now()}`;
const infrastructure = await startInfrastructure({
  root,
  postgresPort: 5434 + 100 * slot,
  kafkaPort: 19092 + 100 * slot,
  database,
  env: { DATABASE_URL: process.env.TEST_DATABASE_URL, KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS },
});

let exitCode;
try {
  exitCode = await new Promise((resolve) => {
    const jest = spawn(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        ...process.argv.slice(2),
      ],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
        env: {
          ...process.env,
          DATABASE_URL: infrastructure.databaseUrl,
          KAFKA_BROKERS: infrastructure.kafkaBrokers,
          // Lets the fault tests kill and restart the broker they were given; unset for an external one.
          ...(process.env.TEST_KAFKA_BROKERS ? {} : { SMP_TEST_KAFKA_DATA_DIR: kafkaDataDir }),
          SMP_TEST_RUN_DIR: path.join(root, 'run'),
          SMP_TEST_PORT_OFFSET: String(1000 * slot),
          SMP_TEST_LOG_DIR: path.join(root, 'logs'),
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        },
      },
    );
    const forward = (signal) => jest.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    jest.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
} finally {
  if (!process.env.TEST_DATABASE_URL) {
    await dropDatabase(infrastructure.databaseUrl, database);
    await dropDatabase(infrastructure.databaseUrl, `${database}_integration`);
  }
  await infrastructure.stop();
}
process.exit(exitCode);

async function dropDatabase(url, name) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  try {
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } catch (error) {
    console.error(`could not drop test database ${name}: ${error.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
