import { DataSource } from 'typeorm';
import { dataSourceOptions, type SchemaOwner } from '@smp/persistence';
import { testEnvironment } from './environment.js';

/** A TypeORM connection to the test database with `owner`'s real migrations applied. */
export async function migratedDataSource(owner: SchemaOwner): Promise<DataSource> {
  const db = new DataSource(dataSourceOptions(testEnvironment().databaseUrl, owner, { poolSize: 4, applicationName: 'test' }));
  await db.initialize();
  return db;
}
