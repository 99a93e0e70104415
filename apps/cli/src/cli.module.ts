import { Module, type DynamicModule } from '@nestjs/common';
import { CommonConfig } from '@smp/config';
import { MigrateCommand } from './commands/migrate.command.js';
import { KeysCommand } from './commands/keys.command.js';
import { RebuildCommand } from './commands/rebuild.command.js';
import { SeedCommand } from './commands/seed.command.js';
import { TopicsCommand } from './commands/topics.command.js';
import { VerifyCommand } from './commands/verify.command.js';

@Module({})
export class CliModule {
  static forRoot(config: CommonConfig): DynamicModule {
    return {
      module: CliModule,
      providers: [
        { provide: CommonConfig, useValue: config },
        MigrateCommand,
        TopicsCommand,
        KeysCommand,
        VerifyCommand,
        RebuildCommand,
        SeedCommand,
      ],
    };
  }
}
