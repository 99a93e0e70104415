import { startApp, type RunningApp } from '../../scripts/lib/stack.mjs';
import { testEnvironment } from './environment.js';

export interface RunningSystem {
  intake: string;
  insights: string;
  projector: string;
  apps: Record<'intake' | 'projector' | 'insights', RunningApp>;
  stop(): Promise<void>;
}

/**
 * Starts the three built apps as separate processes against the test
 * Postgres and Kafka, on ports of their own, the way `npm start` does.
 */
export async function startSystem(basePort: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningSystem> {
  const { databaseUrl, kafkaBrokers, runDir, logDir } = testEnvironment();
  const ports = { intake: basePort, insights: basePort + 1, projector: basePort + 2 };
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers,
    INTAKE_PORT: String(ports.intake),
    INSIGHTS_PORT: String(ports.insights),
    PROJECTOR_PORT: String(ports.projector),
    ...extraEnv,
  };
  const apps = {} as RunningSystem['apps'];
  try {
    for (const app of ['intake', 'projector', 'insights'] as const) {
      apps[app] = await startApp(app, { env, port: ports[app], runDir: `${runDir}/${basePort}`, logDir: `${logDir}/${basePort}` });
    }
  } catch (error) {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    throw error;
  }
  return {
    intake: `http://127.0.0.1:${ports.intake}`,
    insights: `http://127.0.0.1:${ports.insights}`,
    projector: `http://127.0.0.1:${ports.projector}`,
    apps,
    stop: async () => {
      await Promise.all(Object.values(apps).map((app) => app.stop()));
    },
  };
}
