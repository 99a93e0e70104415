/**
 * A PostgreSQL server of a spec's own (scripts/lib/postgres.mjs), for the
 * scenarios that stop the database: the run's shared one must stay up.
 */
interface PostgresToolkit {
  ensurePostgres(options: {
    dataDir: string;
    port: number;
    database?: string;
    log?: (line: string) => void;
  }): Promise<{ url: string; startedByUs: boolean; stop(): Promise<void> }>;
  stopPostgres(options: { dataDir: string }): Promise<void>;
}

// scripts/lib/postgres.mjs has no type declarations; this is the part the tests use.
const toolkit = (): Promise<PostgresToolkit> => import('../../scripts/lib/postgres.mjs' as string) as Promise<PostgresToolkit>;

export async function ensurePostgres(options: Parameters<PostgresToolkit['ensurePostgres']>[0]) {
  return (await toolkit()).ensurePostgres(options);
}

export async function stopPostgres(options: { dataDir: string }): Promise<void> {
  await (await toolkit()).stopPostgres(options);
}
