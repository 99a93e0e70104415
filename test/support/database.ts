import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, type SchemaOwner } from '@smp/persistence';
import { testEnvironment } from './environment.js';

/**
 * A TypeORM connection with `owner`'s real migrations applied, in a database
 * of its own beside the one the running apps use: integration tests write to
 * tables directly, and must not disturb what `verify` compares end to end.
 */
export async function migratedDataSource(owner: SchemaOwner): Promise<DataSource> {
  const url = new URL(testEnvironment().databaseUrl);
  const name = `${url.pathname.slice(1)}_integration`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount)
      await admin.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error; // created meanwhile by another suite
      });
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const db = new DataSource(dataSourceOptions(url.toString(), owner, { poolSize: 4, applicationName: 'test' }));
  await db.initialize();
  return db;
}
