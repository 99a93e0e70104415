import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@smp/auth';
import { HealthModule, loggingModule } from '@smp/http';
import { MessagingModule } from '@smp/messaging';
import { MetricsModule } from '@smp/observability';
import { INTAKE_SCHEMA, dataSourceOptions } from '@smp/persistence';
import { IntakeConfig } from './intake.config.js';
import { AccessModule } from './access/access.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { ProceduresModule } from './procedures/procedures.module.js';
import { ReportsModule } from './reports/reports.module.js';

@Global()
@Module({})
export class IntakeModule {
  static forRoot(config: IntakeConfig): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        loggingModule(config.LOG_LEVEL, 'intake'),
        TypeOrmModule.forRoot(
          dataSourceOptions(config.DATABASE_URL, INTAKE_SCHEMA, { poolSize: config.DATABASE_POOL_SIZE, applicationName: 'intake' }),
        ),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `${config.KAFKA_CLIENT_ID}-intake` }),
        CqrsModule.forRoot(),
        ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: config.ANONYMOUS_REPORTS_PER_MINUTE }]),
        HealthModule,
        MetricsModule.forApp('intake'),
        AuthModule,
        ReportsModule,
        OutboxModule,
        AccessModule,
        ProceduresModule,
      ],
      providers: [{ provide: IntakeConfig, useValue: config }],
      exports: [IntakeConfig],
    };
  }
}
