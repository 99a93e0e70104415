import { randomBytes } from 'node:crypto';
import { startApp, type RunningApp } from '../../scripts/lib/stack.mjs';
import { testEnvironment } from './environment.js';

export interface RunningSystem {
  intake: string;
  insights: string;
  projector: string;
  /** The bootstrap admin key (SMP_ADMIN_KEY) the system was started with. */
  adminKey: string;
  apps: Record<'intake' | 'projector' | 'insights', RunningApp>;
  /** Starts an app again (after a kill) with the same environment, plus `extraEnv` for this start only. */
  restart(app: 'intake' | 'projector' | 'insights', extraEnv?: NodeJS.ProcessEnv): Promise<RunningApp>;
  /** Starts another instance of an app, e.g. a second projector in the same consumer group. */
  startAnother(app: 'projector', port: number): Promise<RunningApp>;
  stop(): Promise<void>;
}

/**
 * Starts the three built apps as separate processes against the test
 * Postgres and Kafka, on ports of their own, the way `npm start` does.
 */
export async function startSystem(basePort: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningSystem> {
  const { databaseUrl, kafkaBrokers, runDir, logDir } = testEnvironment();
  const adminKey = `smpv_admin_${randomBytes(24).toString('base64url')}`;
  // Another test slot (SMP_TEST_SLOT in scripts/test.mjs) shifts every port.
  const offset = Number(process.env.SMP_TEST_PORT_OFFSET ?? 0);
  basePort += offset;
  const ports = { intake: basePort, insights: basePort + 1, projector: basePort + 2 };
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers,
    INTAKE_PORT: String(ports.intake),
    INSIGHTS_PORT: String(ports.insights),
    PROJECTOR_PORT: String(ports.projector),
    SMP_ADMIN_KEY: adminKey,
    ...extraEnv,
  };
  const apps = {} as RunningSystem['apps'];
  const extras: RunningApp[] = [];
  const launch = (app: keyof typeof ports, more: NodeJS.ProcessEnv = {}) =>
    startApp(app, { env: { ...env, ...more }, port: ports[app], runDir: `${runDir}/${basePort}`, logDir: `${logDir}/${basePort}` });
  try {
    for (const app of ['intake', 'projector', 'insights'] as const) apps[app] = await launch(app);
  } catch (error) {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    throw error;
  }
  return {
    intake: `http://127.0.0.1:${ports.intake}`,
    insights: `http://127.0.0.1:${ports.insights}`,
    projector: `http://127.0.0.1:${ports.projector}`,
    adminKey,
    apps,
    restart: async (app, more) => {
      await apps[app].stop('SIGKILL');
      apps[app] = await launch(app, more);
      return apps[app];
    },
    startAnother: async (app, requestedPort) => {
      const port = requestedPort + offset;
      const another = await startApp(app, {
        env: { ...env, PROJECTOR_PORT: String(port) },
        port,
        runDir: `${runDir}/${basePort}/${port}`,
        logDir: `${logDir}/${basePort}/${port}`,
      });
      extras.push(another);
      return another;
    },
    stop: async () => {
      await Promise.all([...Object.values(apps), ...extras].map((app) => app.stop()));
    },
  };
}

/** JSON over HTTP with an optional API key; returns the status, headers and body (parsed when it is JSON, else its text). */
export async function call(
  url: string,
  options: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  const json = /json/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, headers: response.headers, body: text ? (json ? JSON.parse(text) : text) : undefined };
}

/** Registers a new clinic through the admin API and gives it a clinic key. */
export async function registerClinic(
  system: RunningSystem,
  name = 'Test clinic',
  country = 'GB',
): Promise<{ clinicId: string; key: string }> {
  const clinic = await call(`${system.intake}/v1/clinics`, { key: system.adminKey, body: { name, country } });
  if (clinic.status !== 201) throw new Error(`registering a clinic failed: ${clinic.status} ${JSON.stringify(clinic.body)}`);
  const key = await call(`${system.intake}/v1/admin/api-keys`, {
    key: system.adminKey,
    body: { role: 'clinic', clinicId: clinic.body.clinicId },
  });
  if (key.status !== 201) throw new Error(`creating a clinic key failed: ${key.status} ${JSON.stringify(key.body)}`);
  return { clinicId: clinic.body.clinicId, key: key.body.key };
}

/** A key of another role, made through the admin API. */
export async function createKey(system: RunningSystem, role: 'admin' | 'regulator'): Promise<string> {
  const key = await call(`${system.intake}/v1/admin/api-keys`, { key: system.adminKey, body: { role } });
  if (key.status !== 201) throw new Error(`creating a ${role} key failed: ${key.status} ${JSON.stringify(key.body)}`);
  return key.body.key;
}
