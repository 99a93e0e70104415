// The apps as the benchmark's later sections share them: one intake, projector and insights at fixed ports,
// started on first use, and the clinics and pigments registered once.
import { registerReferences } from './reports.mjs';

/** `SMP_BENCH_SLOT=n` moves every port the benchmark uses up by 100 n, so two benchmarks can run side by side. */
export const BENCH_SLOT = Number(process.env.SMP_BENCH_SLOT ?? 0);
/** A port of the benchmark's, moved to its slot. */
export const benchPort = (port) => port + 100 * BENCH_SLOT;
export const PORTS = { intake: benchPort(23000), insights: benchPort(23001), projector: benchPort(23002) };
const PORT_ENV = { intake: 'INTAKE_PORT', insights: 'INSIGHTS_PORT', projector: 'PROJECTOR_PORT' };

export const appUrl = (app) => `http://127.0.0.1:${PORTS[app]}`;

/** The running app, started if it is not. */
export async function ensureApp(bench, app, env = {}) {
  bench.apps ??= new Map();
  if (!bench.apps.has(app)) {
    bench.apps.set(
      app,
      await bench.startApp(app, {
        port: PORTS[app],
        env: {
          [PORT_ENV[app]]: String(PORTS[app]),
          // The projector resumes where the projector section's left off (same group, offsets committed).
          PROJECTOR_GROUP_ID: `bench-${bench.runId}`,
          INTAKE_PUBLIC_URL: appUrl('intake'),
          ...env,
        },
      }),
    );
  }
  return bench.apps.get(app);
}

export async function stopApp(bench, app) {
  const running = bench.apps?.get(app);
  if (!running) return;
  bench.apps.delete(app);
  await running.stop();
}

/** Clinics and pigments registered through the intake, once per run. */
export async function references(bench, domain) {
  await ensureApp(bench, 'intake');
  bench.references ??= await registerReferences(
    bench,
    appUrl('intake'),
    bench.quick ? { clinics: 40, pigments: 20 } : { clinics: 200, pigments: 100 },
  );
  return { ...bench.references, domain };
}
