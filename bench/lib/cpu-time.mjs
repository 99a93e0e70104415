// CPU time of processes, from /proc: where the cores went during a measurement (Node vs Postgres),
// which holds up on a shared machine better than wall-clock splits do.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process, in ms; 0 once it is gone. */
export function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** `ms` of CPU spread over `count` events or requests, e.g. "12.3 µs". */
export const microsEach = (ms, count, digits = 0) => `${((ms * 1000) / Math.max(1, count)).toFixed(digits)} µs`;

/** The postmaster of a data directory and its children (backends, WAL writer, checkpointer …). */
export function postgresPids(dataDir) {
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU used from now on by the given processes (pids, or a function listing them, called at the start and
 * at the end so that processes started meanwhile count from 0): `stop()` returns ms per label.
 */
export function cpuMeter(groups) {
  const list = (pids) => (typeof pids === 'function' ? pids() : pids);
  const start = new Map();
  for (const [label, pids] of Object.entries(groups)) for (const pid of list(pids)) start.set(`${label}:${pid}`, processCpuMs(pid));
  return {
    stop() {
      const used = {};
      for (const [label, pids] of Object.entries(groups)) {
        used[label] = 0;
        for (const pid of list(pids)) used[label] += processCpuMs(pid) - (start.get(`${label}:${pid}`) ?? 0);
      }
      return used;
    },
  };
}
