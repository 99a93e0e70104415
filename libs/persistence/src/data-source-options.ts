import type { DataSourceOptions, MigrationInterface } from 'typeorm';

export interface SchemaOwner {
  /** The Postgres schema an app owns and migrates. */
  schema: 'intake' | 'projector';
  migrations: Array<new () => MigrationInterface>;
}

/**
 * One way to reach Postgres for every app: migrations only (never
 * `synchronize`), a migrations table per owning schema, a bounded pool and
 * timeouts so a stalled database surfaces as an error instead of a hang.
 *
 * Reconnecting needs nothing more: pg-pool drops a client whose connection
 * failed (idle or checked out) and opens a new one on the next request, so
 * after Postgres restarts the first request that finds it answering succeeds.
 * Until then a connect fails fast (refused) or after connectionTimeoutMillis,
 * and the apps answer 503 with Retry-After (isTransientDatabaseError). TCP
 * keep-alive finds connections whose server vanished without closing them.
 */
export function dataSourceOptions(
  url: string,
  owner: SchemaOwner | null,
  options: { poolSize?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: owner !== null,
    migrations: owner?.migrations ?? [],
    migrationsTableName: owner ? `${owner.schema}_migrations` : undefined,
    migrationsTransactionMode: 'each',
    entities: [],
    applicationName: options.applicationName,
    extra: {
      max: options.poolSize ?? 20,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
    },
  };
}
