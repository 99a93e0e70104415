import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeyStore, hashApiKey } from '@smp/auth';
import { IntakeConfig } from '../intake.config.js';

/** The first admin key comes from SMP_ADMIN_KEY; it is stored hashed like any other. */
@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdminKey.name);

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly config: IntakeConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SMP_ADMIN_KEY) return;
    await this.keys.add(hashApiKey(this.config.SMP_ADMIN_KEY), 'admin', null);
    this.logger.log('admin key from SMP_ADMIN_KEY is registered');
  }
}
