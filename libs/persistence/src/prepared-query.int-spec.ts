import { DataSource } from 'typeorm';
import { testEnvironment, unique } from '../../../test/support/environment.js';
import { dataSourceOptions } from './data-source-options.js';
import { preparedQuery } from './prepared-query.js';

/**
 * Prepared statements live on pooled connections for as long as those do: what they read may be swapped under them (a
 * rebuild swaps the read-model schemas). Against the real Postgres.
 */
describe('preparedQuery against the real Postgres', () => {
  let db: DataSource;
  const schema = unique('prepared_spec')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');

  beforeAll(async () => {
    // One connection: every call below runs on the connection that prepared the statement.
    db = new DataSource(dataSourceOptions(testEnvironment().databaseUrl, null, { poolSize: 1, applicationName: 'prepared-spec' }));
    await db.initialize();
    await db.query(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    for (const name of [schema, `${schema}_fresh`, `${schema}_retired`]) await db?.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await db?.destroy();
  });

  const terms = (minimum: number) =>
    preparedQuery<{ term: string; n: number }>(db, `SELECT term, n FROM ${schema}.counts WHERE n >= $1 ORDER BY term`, [minimum]);

  it('answers with its parameters bound, and reads the schema swapped in after it was prepared, before the old one is dropped', async () => {
    await db.query(`CREATE TABLE ${schema}.counts (term text PRIMARY KEY, n int NOT NULL)`);
    await db.query(`INSERT INTO ${schema}.counts VALUES ('infection', 3), ('scarring', 1)`);
    expect(await terms(2)).toEqual([{ term: 'infection', n: 3 }]);
    expect(await terms(1)).toEqual([
      { term: 'infection', n: 3 },
      { term: 'scarring', n: 1 },
    ]);
    // Prepared once on the connection, for both calls.
    const prepared: Array<{ n: string }> = await db.query(
      `SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '.counts WHERE n >= $1%'`,
      [schema],
    );
    expect(prepared).toEqual([{ n: '1' }]);

    // As a rebuild swaps the read models: the schema the statement was planned on is renamed away, a new one of the same
    // name takes its place, and the old one is dropped later.
    await db.query(`CREATE SCHEMA ${schema}_fresh`);
    await db.query(`CREATE TABLE ${schema}_fresh.counts (term text PRIMARY KEY, n int NOT NULL)`);
    await db.query(`INSERT INTO ${schema}_fresh.counts VALUES ('granuloma', 5)`);
    await db.query(`BEGIN; ALTER SCHEMA ${schema} RENAME TO ${schema}_retired; ALTER SCHEMA ${schema}_fresh RENAME TO ${schema}; COMMIT`);
    expect(await terms(1)).toEqual([{ term: 'granuloma', n: 5 }]);
  });
});
