import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthModule, loggingModule } from '@smp/http';
import { MessagingModule } from '@smp/messaging';
import { PROJECTOR_SCHEMA, dataSourceOptions } from '@smp/persistence';
import { ProjectorConfig } from './projector.config.js';
import { SideEffectsConsumer } from './side-effects/side-effects.consumer.js';
import { SideEffectsStore } from './side-effects/side-effects.store.js';

@Global()
@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        loggingModule(config.LOG_LEVEL, 'projector'),
        TypeOrmModule.forRoot(
          dataSourceOptions(config.DATABASE_URL, PROJECTOR_SCHEMA, { poolSize: config.DATABASE_POOL_SIZE, applicationName: 'projector' }),
        ),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `${config.KAFKA_CLIENT_ID}-projector` }),
        HealthModule,
      ],
      providers: [{ provide: ProjectorConfig, useValue: config }, SideEffectsStore, SideEffectsConsumer],
      exports: [ProjectorConfig],
    };
  }
}
