import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CommonConfig } from '@smp/config';
import { dataSourceOptions } from '@smp/persistence';
import { findDifferences, type Difference } from '../verification/read-model-verifier.js';

interface VerifyOptions {
  waitSeconds: number;
}

/**
 * `verify`: the read models against a recomputation from the source tables.
 * Prints every difference and exits 1 on any. With --wait-seconds it keeps
 * checking until the projector has caught up or the time is out.
 */
@Command({ name: 'verify', description: 'compare the read models with the intake source tables; exit 1 on any difference' })
export class VerifyCommand extends CommandRunner {
  constructor(private readonly config: CommonConfig) {
    super();
  }

  async run(_args: string[], options: VerifyOptions): Promise<void> {
    const db = new DataSource(dataSourceOptions(this.config.DATABASE_URL, null, { poolSize: 1, applicationName: 'cli-verify' }));
    await db.initialize();
    let differences: Difference[];
    try {
      const deadline = Date.now() + options.waitSeconds * 1000;
      for (;;) {
        differences = await findDifferences(db);
        if (differences.length === 0 || Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await db.destroy();
    }
    for (const difference of differences) {
      console.log(`${difference.readModel} ${difference.cell}: expected ${difference.expected}, read model has ${difference.actual}`);
    }
    console.log(differences.length === 0 ? 'verify: 0 differences' : `verify: ${differences.length} difference(s)`);
    if (differences.length > 0) process.exitCode = 1;
  }

  @Option({ flags: '--wait-seconds <seconds>', description: 'keep checking until equal or this many seconds passed', defaultValue: 0 })
  parseWait(value: string): number {
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error('--wait-seconds must be a non-negative number');
    return seconds;
  }
}
