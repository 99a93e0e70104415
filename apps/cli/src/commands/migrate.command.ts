import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CommonConfig } from '@smp/config';
import { INTAKE_SCHEMA, PROJECTOR_SCHEMA, dataSourceOptions } from '@smp/persistence';

/** Applies the intake's and the projector's pending migrations. */
@Command({ name: 'migrate', description: 'apply pending database migrations of every schema' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly config: CommonConfig) {
    super();
  }

  async run(): Promise<void> {
    for (const owner of [INTAKE_SCHEMA, PROJECTOR_SCHEMA]) {
      const db = new DataSource(dataSourceOptions(this.config.DATABASE_URL, { ...owner }, { poolSize: 1, applicationName: 'cli' }));
      await db.initialize();
      try {
        const applied = await db.runMigrations({ transaction: 'each' });
        console.log(`${owner.schema}: ${applied.length === 0 ? 'up to date' : applied.map((migration) => migration.name).join(', ')}`);
      } finally {
        await db.destroy();
      }
    }
  }
}
