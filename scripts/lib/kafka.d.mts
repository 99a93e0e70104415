export function ensureKafka(options: {
  dataDir: string;
  port: number;
  controllerPort: number;
  log?: (line: string) => void;
}): Promise<{ brokers: string; startedByUs: boolean; pid: number; stop(): Promise<void> }>;
export function stopKafka(options: { dataDir: string }): Promise<void>;
export function kafkaPrerequisiteProblem(): string | null;
