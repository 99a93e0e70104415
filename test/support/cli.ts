import { execFile } from 'node:child_process';
import path from 'node:path';
import { testEnvironment } from './environment.js';

/** Runs the operators' CLI (built) against the test database; resolves with its exit code and output. */
export function runCli(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.resolve('dist/apps/cli/src/main.js'), ...args],
      {
        env: { ...process.env, DATABASE_URL: testEnvironment().databaseUrl, KAFKA_BROKERS: testEnvironment().kafkaBrokers },
        timeout: 180_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}
