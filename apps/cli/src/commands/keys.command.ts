import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { ApiKeyStore, ROLES, generateApiKey, type Role } from '@smp/auth';
import { CommonConfig } from '@smp/config';
import { dataSourceOptions } from '@smp/persistence';

interface KeysOptions {
  role: Role;
  clinic?: string;
}

/** `keys create --role admin`: the way to the first admin key without SMP_ADMIN_KEY. The key is printed once. */
@Command({
  name: 'keys',
  arguments: '<action>',
  description: 'create an API key: keys create --role admin|regulator|clinic [--clinic CLN-00001]',
})
export class KeysCommand extends CommandRunner {
  constructor(private readonly config: CommonConfig) {
    super();
  }

  async run([action]: string[], options: KeysOptions): Promise<void> {
    if (action !== 'create') throw new Error(`unknown action "${action}"; try: keys create --role admin`);
    if ((options.role === 'clinic') !== (options.clinic !== undefined)) {
      throw new Error('--clinic is required for a clinic key and not allowed for other roles');
    }
    const db = new DataSource(dataSourceOptions(this.config.DATABASE_URL, null, { poolSize: 1, applicationName: 'cli' }));
    await db.initialize();
    try {
      const { key, hash } = generateApiKey(options.role);
      const keyId = await new ApiKeyStore(db).add(hash, options.role, options.clinic ?? null);
      console.log(`key id ${keyId} (${options.role}${options.clinic ? ` of ${options.clinic}` : ''}); shown once, stored hashed:\n${key}`);
    } finally {
      await db.destroy();
    }
  }

  @Option({ flags: '--role <role>', description: `one of ${ROLES.join(', ')}`, required: true })
  parseRole(value: string): Role {
    if (!(ROLES as readonly string[]).includes(value)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    return value as Role;
  }

  @Option({ flags: '--clinic <clinicId>', description: 'the clinic a clinic key acts for' })
  parseClinic(value: string): string {
    return value;
  }
}
