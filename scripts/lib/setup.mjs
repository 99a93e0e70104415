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
