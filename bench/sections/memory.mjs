// Peak RSS (VmHWM) of each app over the whole run, recorded as each app process stopped.
import { round, row } from '../lib/results.mjs';
import { stopApp } from '../lib/system.mjs';

export default async function memory(bench) {
  for (const app of [...(bench.apps?.keys() ?? [])]) await stopApp(bench, app);
  return [...bench.peakRss].map(([app, kib]) => row(`${app} peak RSS (whole run)`, round(kib / 1024, 1), 'MiB'));
}
