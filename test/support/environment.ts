import path from 'node:path';
import pg from 'pg';
import kafkajs from 'kafkajs';

/** What `npm test` started for the tests: a throw-away database and a fresh broker. */
export function testEnvironment() {
  const databaseUrl = process.env.DATABASE_URL;
  const kafkaBrokers = process.env.KAFKA_BROKERS;
  if (!databaseUrl || !kafkaBrokers) {
    throw new Error('Run the tests with `npm test`: it starts the Postgres and Kafka they need.');
  }
  return {
    databaseUrl,
    kafkaBrokers,
    runDir: process.env.SMP_TEST_RUN_DIR ?? path.resolve('.cache/test/run'),
    logDir: process.env.SMP_TEST_LOG_DIR ?? path.resolve('.cache/test/logs'),
  };
}

export function testKafka(clientId: string) {
  return new kafkajs.Kafka({ clientId, brokers: testEnvironment().kafkaBrokers.split(','), logLevel: kafkajs.logLevel.NOTHING });
}

export function testDatabase(): pg.Pool {
  return new pg.Pool({ connectionString: testEnvironment().databaseUrl, max: 2 });
}

/** A name no other test uses, so tests sharing one database never see each other's figures. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Polls until `probe` returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * A Kafka message's JSON value, or undefined when it is not JSON: fuzz-events leaves poison messages on every projected
 * topic on purpose, and a spec that reads a topic from the beginning must pass over them, not crash its consumer.
 */
export function jsonValue(message: { value: Buffer | null }): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(message.value?.toString('utf8') ?? '');
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
