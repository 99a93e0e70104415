// Runs a single-node Apache Kafka 3.9.1 broker (KRaft, combined broker + controller)
// from jars fetched by Maven, so `npm start` and `npm test` need neither Docker nor a
// Kafka install. The broker runs in its own process group and outlives the Node
// process that started it; the next caller pointing at the same data directory
// reuses it.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POM = path.join(REPO_ROOT, 'infra', 'kafka', 'pom.xml');
const LIBS_DIR = path.join(REPO_ROOT, '.cache', 'kafka', 'libs');
const LIBS_MARKER = path.join(LIBS_DIR, '.complete');

const READY_TIMEOUT_MS = 60_000;
const REUSE_PROBE_MS = 3_000;
const STOP_GRACE_MS = 20_000;
const UNRESPONSIVE_GRACE_MS = 5_000;
const PORT_RELEASE_MS = 3_000;
const TAIL_LINES = 30;

const JVM_OPTS = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];
// StorageTool runs for a couple of seconds: the C2 compiler only costs CPU there.
const TOOL_JVM_OPTS = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

const isWindows = process.platform === 'win32';

/**
 * Starts the broker for `dataDir` unless it is already running and answering.
 * `stop()` stops that broker whoever started it: check `startedByUs` first if you
 * only want to undo your own start.
 */
export async function ensureKafka({ dataDir, port, controllerPort, log = console.error }) {
  const f = files(dataDir);
  const brokers = `127.0.0.1:${port}`;
  await fsp.mkdir(f.dir, { recursive: true });

  return withLock(f, async () => {
    const existing = readPid(f);
    if (existing && isOurBroker(existing, f)) {
      if (await waitUntilAnswers(brokers, REUSE_PROBE_MS)) {
        log(`kafka: reusing broker pid ${existing} on ${brokers}`);
        return handle(f, brokers, existing, false);
      }
      log(`kafka: broker pid ${existing} does not answer on ${brokers}; restarting it`);
      await terminate(existing, UNRESPONSIVE_GRACE_MS);
    }
    await fsp.rm(f.pid, { force: true });

    for (const p of [port, controllerPort]) {
      // A broker that was just killed can hold its sockets for a moment after its pid
      // stops looking like Kafka.
      if (await waitForAsync(() => portFree(p), PORT_RELEASE_MS)) continue;
      if (p === port && (await answers(brokers, 2_000))) {
        throw new Error(
          `A Kafka broker not started from ${f.dir} already listens on ${brokers}: stop it, choose another port, or point KAFKA_BROKERS at it.`,
        );
      }
      throw new Error(
        `Port ${p} on 127.0.0.1 is already in use by another process, so Kafka cannot listen there: stop that process, choose another port, or point KAFKA_BROKERS at an existing cluster.`,
      );
    }

    const problem = kafkaPrerequisiteProblem();
    if (problem) throw new Error(problem);
    await ensureLibs(log);

    await fsp.writeFile(f.props, serverProperties(f, port, controllerPort));
    await fsp.writeFile(f.log4j, log4jProperties(f));
    await formatStorage(f, log);

    log(`kafka: starting Kafka 3.9.1 on ${brokers} (log: ${f.log})`);
    const startedAt = Date.now();
    const broker = spawnBroker(f);
    await fsp.writeFile(f.pid, `${broker.pid}\n`);
    try {
      await waitForStartup(f, brokers, broker);
    } catch (err) {
      await terminate(broker.pid, UNRESPONSIVE_GRACE_MS);
      await fsp.rm(f.pid, { force: true });
      throw err;
    }
    log(`kafka: ready on ${brokers} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${broker.pid})`);
    return handle(f, brokers, broker.pid, true);
  });
}

/** Stops the broker started from `dataDir` (per its pid file) and waits until it is gone. */
export async function stopKafka({ dataDir }) {
  const f = files(dataDir);
  if (!readPid(f)) return;
  await withLock(f, async () => {
    const pid = readPid(f);
    if (pid) await stopPid(f, pid);
  });
}

/** Whether the broker of `dataDir` is running, and whether it answers on `port`. */
export async function kafkaStatus({ dataDir, port }) {
  const f = files(dataDir);
  const pid = readPid(f);
  const running = Boolean(pid && isOurBroker(pid, f));
  const answering = running && (await answers(`127.0.0.1:${port}`, REUSE_PROBE_MS));
  return {
    running,
    answering,
    pid: running ? pid : null,
    brokers: `127.0.0.1:${port}`,
  };
}

/** null when Kafka can run locally, otherwise one sentence saying what is missing. */
export function kafkaPrerequisiteProblem() {
  const java = javaMajorVersion();
  const javaOk = java !== null && java >= 17;
  const mavenOk = libsCached() || commandWorks('mvn', ['-v']);
  if (javaOk && mavenOk) return null;

  const needs = [!javaOk && 'Java 17+', !mavenOk && 'Maven'].filter(Boolean).join(' and ');
  const install = [!javaOk && 'a JDK 17+', !mavenOk && 'Maven'].filter(Boolean).join(' and ');
  const found = java !== null && !javaOk ? ` (found Java ${java})` : '';
  return `Kafka needs ${needs} to run locally${found}: install ${install}, or point KAFKA_BROKERS at an existing cluster, or run \`docker compose up\`.`;
}

function files(dataDir) {
  const dir = path.resolve(dataDir);
  return {
    dir,
    props: path.join(dir, 'server.properties'),
    log4j: path.join(dir, 'log4j.properties'),
    logs: path.join(dir, 'logs'),
    meta: path.join(dir, 'logs', 'meta.properties'),
    pid: path.join(dir, 'broker.pid'),
    out: path.join(dir, 'broker.out'),
    log: path.join(dir, 'broker.log'),
    lock: path.join(dir, 'ensure.lock'),
  };
}

function handle(f, brokers, pid, startedByUs) {
  return {
    brokers,
    startedByUs,
    pid,
    stop: () => withLock(f, () => stopPid(f, pid)),
  };
}

async function stopPid(f, pid) {
  if (isOurBroker(pid, f)) await terminate(pid, STOP_GRACE_MS);
  if (readPid(f) === pid) await fsp.rm(f.pid, { force: true });
}

// ---------------------------------------------------------------- configuration

// Java .properties treat backslashes as escapes, and Java accepts forward slashes everywhere.
const javaPath = (p) => p.split(path.sep).join('/');

function serverProperties(f, port, controllerPort) {
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': javaPath(f.logs),
    'num.partitions': 1,
    'auto.create.topics.enable': false,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    'log.retention.ms': 7 * 24 * 60 * 60 * 1000,
    // Sized for a 2-core dev machine rather than a production server.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 2,
    // After a crash the restarted broker cannot register until the controller expires the
    // dead incarnation's session (default 9 s); heartbeats stay on loopback, so a short
    // session is safe here.
    'broker.session.timeout.ms': 3_000,
    'broker.heartbeat.interval.ms': 750,
    // The cleaner allocates this on the heap at startup (default 128 MiB of a 512 MiB heap).
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
  };
  return Object.entries(props)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

function log4jProperties(f) {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${javaPath(f.log)}`,
    'log4j.appender.file.MaxFileSize=10MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    '',
  ].join('\n');
}

function log4jOption(f) {
  return `-Dlog4j.configuration=${pathToFileURL(f.log4j).href}`;
}

const classpath = () => path.join(LIBS_DIR, '*');

// Same shape as Kafka's Uuid.randomUuid(): 16 random bytes, base64url, never starting
// with '-' (the CLI tools would read it as an option).
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function formatStorage(f, log) {
  if (fs.existsSync(f.meta)) return;
  // Without meta.properties Kafka refuses the directory anyway: these are leftovers of an
  // interrupted format.
  await fsp.rm(f.logs, { recursive: true, force: true });
  log(`kafka: formatting storage in ${f.logs}`);
  const { code, output } = await run(javaBin(), [
    ...TOOL_JVM_OPTS,
    log4jOption(f),
    '-cp',
    classpath(),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    newClusterId(),
    '-c',
    f.props,
  ]);
  if (code !== 0) {
    throw new Error(`Formatting Kafka storage failed (exit ${code}):\n${lastLines(output, TAIL_LINES)}`);
  }
}

// ---------------------------------------------------------------- jars

function pomHash() {
  return createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
}

function libsCached() {
  try {
    return fs.readFileSync(LIBS_MARKER, 'utf8').trim() === pomHash();
  } catch {
    return false;
  }
}

async function ensureLibs(log) {
  if (libsCached()) return;
  log(`kafka: fetching the Kafka jars with Maven into ${path.relative(REPO_ROOT, LIBS_DIR)} (first run only)`);
  // Copy next to the final folder and swap it in, so an interrupted fetch never looks complete.
  const tmp = `${LIBS_DIR}.tmp-${process.pid}`;
  await fsp.rm(tmp, { recursive: true, force: true });
  const { code, output } = await run(
    'mvn',
    ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'],
    { shell: isWindows },
  );
  if (code !== 0) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw new Error(`Fetching the Kafka jars with Maven failed (exit ${code}):\n${lastLines(output, TAIL_LINES)}`);
  }
  await fsp.writeFile(path.join(tmp, '.complete'), `${pomHash()}\n`);
  await fsp.rm(LIBS_DIR, { recursive: true, force: true });
  await fsp.rename(tmp, LIBS_DIR);
}

// ---------------------------------------------------------------- broker process

function spawnBroker(f) {
  const out = fs.openSync(f.out, 'w');
  let child;
  try {
    child = spawn(javaBin(), [...JVM_OPTS, log4jOption(f), '-cp', classpath(), 'kafka.Kafka', f.props], {
      cwd: f.dir,
      detached: true,
      stdio: ['ignore', out, out],
    });
  } finally {
    fs.closeSync(out);
  }
  const broker = { pid: child.pid, exit: null };
  child.on('exit', (code, signal) => (broker.exit = signal ? `signal ${signal}` : `exit code ${code}`));
  child.on('error', (err) => (broker.exit = err.message));
  child.unref();
  if (!broker.pid) throw new Error(`Could not start ${javaBin()}`);
  return broker;
}

async function waitForStartup(f, brokers, broker) {
  const exited = () => broker.exit !== null;
  if (await waitUntilAnswers(brokers, READY_TIMEOUT_MS, exited)) return;
  const why = exited()
    ? `Kafka exited during startup (${broker.exit})`
    : `Kafka did not answer on ${brokers} within ${READY_TIMEOUT_MS / 1000} s`;
  throw new Error(`${why}.\n${logTails(f)}`);
}

async function waitUntilAnswers(brokers, timeoutMs, giveUp = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (!giveUp()) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    if (await answers(brokers, Math.min(left, 2_000))) return true;
    await sleep(250);
  }
  return false;
}

/** True when a metadata request to `brokers` lists at least one (unfenced) broker. */
async function answers(brokers, timeoutMs) {
  const admin = new Kafka({
    clientId: 'kafka-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  const probe = (async () => {
    await admin.connect();
    const { brokers: nodes } = await admin.describeCluster();
    return nodes.length > 0;
  })().catch(() => false);
  // Cancelled afterwards so a pending timer does not keep a short-lived CLI alive.
  const timer = new AbortController();
  const timeout = sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    timer.abort();
    await admin.disconnect().catch(() => {});
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function readPid(f) {
  try {
    const pid = Number.parseInt(fs.readFileSync(f.pid, 'utf8'), 10);
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A killed child stays a zombie until its parent reaps it; it holds no ports or files.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true;
  }
}

function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    const ps = spawnSync('ps', ['-ww', '-p', String(pid), '-o', 'command='], {
      encoding: 'utf8',
    });
    return ps.status === 0 ? ps.stdout.trim() : '';
  }
}

// The pid file may be stale and the pid reused: only trust a Kafka JVM using our config.
function isOurBroker(pid, f) {
  if (!isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd.includes('kafka.Kafka') && cmd.includes(f.props);
}

async function terminate(pid, graceMs) {
  if (!signal(pid, 'SIGTERM')) return;
  if (await waitFor(() => !isAlive(pid), graceMs)) return;
  if (!signal(pid, 'SIGKILL')) return;
  if (!(await waitFor(() => !isAlive(pid), 5_000))) {
    throw new Error(`Kafka broker pid ${pid} is still alive after SIGKILL`);
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(predicate, timeoutMs) {
  return waitForAsync(async () => predicate(), timeoutMs);
}

async function waitForAsync(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

// Serialises ensureKafka/stopKafka on one data directory across processes
// (e.g. `npm start` and `npm test` launched together).
async function withLock(f, fn) {
  const deadline = Date.now() + 2 * READY_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(f.lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    if (lockIsStale(f.lock)) {
      fs.rmSync(f.lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the Kafka lock ${f.lock}`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(f.lock, { force: true });
  }
}

function lockIsStale(lockFile) {
  try {
    const holder = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
    // An empty file is a lock being written right now, unless it has been empty for a while.
    if (!holder) return Date.now() - fs.statSync(lockFile).mtimeMs > 5_000;
    return !isAlive(holder);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- helpers

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function javaMajorVersion() {
  const result = spawnSync(javaBin(), ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return null;
  // Java 8 and older report themselves as "1.8.0_…".
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

function commandWorks(command, args) {
  const result = spawnSync(command, args, {
    stdio: 'ignore',
    shell: isWindows,
  });
  return !result.error && result.status === 0;
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) => resolve({ code: -1, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function lastLines(text, n) {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}

function tailFile(file, n) {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const { size } = fs.fstatSync(fd);
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      return lastLines(buffer.toString('utf8'), n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function logTails(f) {
  return [f.out, f.log]
    .map((file) => [file, tailFile(file, TAIL_LINES)])
    .filter(([, text]) => text)
    .map(([file, text]) => `--- last ${TAIL_LINES} lines of ${file} ---\n${text}`)
    .join('\n');
}
