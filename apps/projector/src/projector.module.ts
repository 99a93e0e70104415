import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthModule, loggingModule } from '@smp/http';
import { MessagingModule } from '@smp/messaging';
import { MetricsModule } from '@smp/observability';
import { PROJECTOR_SCHEMA, dataSourceOptions } from '@smp/persistence';
import { Inbox, TOPIC_PROJECTIONS, createProjections } from '@smp/read-models';
import { ProjectorConfig } from './projector.config.js';
import { ProjectionConsumer } from './projection/projection.consumer.js';
import { ProjectorMetrics } from './projection/projector.metrics.js';
import { SignalWatcher } from './signals/signal-watcher.service.js';

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
        MetricsModule.forApp('projector'),
      ],
      providers: [
        { provide: ProjectorConfig, useValue: config },
        { provide: TOPIC_PROJECTIONS, useFactory: createProjections },
        Inbox,
        ProjectorMetrics,
        ProjectionConsumer,
        SignalWatcher,
      ],
      exports: [ProjectorConfig],
    };
  }
}
