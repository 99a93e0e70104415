export const APPS: readonly ['intake', 'projector', 'insights'];

export interface RunningApp {
  app: string;
  pid: number;
  logFile: string;
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startApp(
  app: string,
  options: { env: NodeJS.ProcessEnv; port: number; runDir: string; logDir: string; timeoutMs?: number },
): Promise<RunningApp>;

export function startInfrastructure(options: {
  root: string;
  postgresPort: number;
  kafkaPort: number;
  database?: string;
  env?: { DATABASE_URL?: string; KAFKA_BROKERS?: string };
}): Promise<{ databaseUrl: string; kafkaBrokers: string; stop(): Promise<void> }>;
