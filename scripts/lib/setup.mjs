// Steps that must work before any dependency is installed: only Node built-ins here.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CACHE = path.join(REPO_ROOT, '.cache');

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${what} failed (${command} ${args.join(' ')} exited ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}

/** Installs dependencies when node_modules is missing or older than the lock file. */
export function ensureDependencies() {
  const installed = path.join(REPO_ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(REPO_ROOT, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  // `npm install` with the committed lock file, not `npm ci`: registries that do not serve every
  // platform's optional binaries leave those out of the lock, and `npm ci` then refuses the lock.
  console.error('Installing dependencies…');
  run('npm', ['install', '--no-audit', '--no-fund'], 'Installing dependencies');
}

/** Compiles every app and lib into dist/ (one tsc pass; a few seconds). */
export function build() {
  console.error('Building…');
  run('npm', ['run', '--silent', 'build'], 'The build');
}

/** Type-checks every file (tests included), lints, and checks the layer rules. */
export function lint() {
  console.error('Checking types, lint and layer rules…');
  run('npm', ['run', '--silent', 'lint'], 'The static checks');
}

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The dashboard's browser tests drive Debian's Chromium (playwright-core downloads no browser). Installs it with apt
 * when it is missing, or stops with what to do when that is not possible (no apt, not root).
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (apt.status !== 0 || !root) {
    console.error(
      `\nThe dashboard tests need Chromium at ${CHROMIUM}, and it is missing. ` +
        (apt.status !== 0
          ? "Install your system's Chromium package so that it is at that path."
          : 'Install it as root: apt-get update && apt-get install -y chromium'),
    );
    process.exit(1);
  }
  console.error('Installing Chromium for the browser tests (apt-get install chromium)…');
  run('sh', ['-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium'], 'Installing Chromium');
  if (!existsSync(CHROMIUM)) {
    console.error(`\napt-get installed chromium, but ${CHROMIUM} is still missing; the browser tests cannot run.`);
    process.exit(1);
  }
}
