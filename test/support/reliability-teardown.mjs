// jest globalTeardown, once every spec is done (`npm run chaos` passes it with --globalTeardown):
// 1. searches every app log line of the whole run for personal data (an email address, the PRIVATE markers the
//    privacy and security specs submit, their phone numbers) and fails the run on any;
// 2. prints the run's reliability figures, which the specs append (test/support/load.ts, recordFigures) to
//    reliability-figures-<database>.jsonl in the run's log directory.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const FIGURES = [
  ['scenarios', 'scenarios run'],
  ['faults', 'faults injected'],
  ['accepted', 'requests accepted'],
  ['rejected', 'requests rejected'],
  ['lost', 'requests lost'],
  ['doubleCounted', 'events double-counted'],
  ['fuzzCases', 'fuzz cases tried'],
  ['probes', 'probes tried'],
  ['poisonEvents', 'poison events dead-lettered'],
];

const PERSONAL = [/[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/i, /PRIVATE[a-z0-9]{6,}/i, /1234 5678|7946 0958/];

export default function reliabilityTeardown() {
  if (!process.env.DATABASE_URL) return;
  const logDir = process.env.SMP_TEST_LOG_DIR ?? path.resolve('.cache/test/logs');
  const run = new URL(process.env.DATABASE_URL).pathname.slice(1) || 'run';
  searchLogs(logDir, Number(/smp_test_(\d+)/.exec(run)?.[1] ?? 0));
  printFigures(logDir, run);
}

/** Every app log under the run's log directory, lines written since the run began (the database is named for that moment). */
function searchLogs(logDir, runStarted) {
  const leaks = [];
  let lines = 0;
  const walk = (dir) => {
    for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.log')) {
        for (const line of readFileSync(full, 'utf8').split('\n')) {
          const time = /^\{"level":\d+,"time":(\d+)/.exec(line)?.[1];
          if (time !== undefined && Number(time) < runStarted) continue;
          lines++;
          if (PERSONAL.some((pattern) => pattern.test(line))) leaks.push(`${path.relative(logDir, full)}: ${line.slice(0, 200)}`);
        }
      }
    }
  };
  walk(logDir);
  if (leaks.length > 0) throw new Error(`personal data in ${leaks.length} app log line(s) of this run:\n${leaks.slice(0, 20).join('\n')}`);
  process.stdout.write(`\nNo personal data in ${lines.toLocaleString('en-GB')} app log lines of this run.\n`);
}

function printFigures(logDir, run) {
  const file = path.join(logDir, `reliability-figures-${run}.jsonl`);
  if (!existsSync(file)) return;
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const width = Math.max(...FIGURES.map(([, name]) => name.length));
  const lines = FIGURES.map(([key, name]) => {
    const total = entries.reduce((sum, entry) => sum + (entry[key] ?? 0), 0);
    return `  ${name.padEnd(width)}  ${total.toLocaleString('en-GB')}`;
  });
  const specs = [...new Set(entries.map((entry) => entry.spec))];
  process.stdout.write(`\nReliability figures of this run (${specs.length} specs: ${specs.join(', ')}):\n${lines.join('\n')}\n\n`);
}
