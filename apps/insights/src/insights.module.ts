import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@smp/auth';
import { HealthModule, loggingModule } from '@smp/http';
import { MessagingModule } from '@smp/messaging';
import { MetricsModule } from '@smp/observability';
import { dataSourceOptions } from '@smp/persistence';
import { CasesModule } from './cases/cases.module.js';
import { ClinicsModule } from './clinics/clinics.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { InsightsConfig } from './insights.config.js';
import { PublicModule } from './public/public.module.js';
import { ReadModelModule } from './read-model/read-model.module.js';
import { SignalsModule } from './signals/signals.module.js';
import { StatsModule } from './stats/stats.module.js';

@Global()
@Module({})
export class InsightsModule {
  static forRoot(config: InsightsConfig): DynamicModule {
    return {
      module: InsightsModule,
      imports: [
        loggingModule(config.LOG_LEVEL, 'insights'),
        // Insights owns no schema: it reads the projector's read models.
        TypeOrmModule.forRoot(
          dataSourceOptions(config.DATABASE_URL, null, { poolSize: config.DATABASE_POOL_SIZE, applicationName: 'insights' }),
        ),
        MessagingModule.forRoot({ brokers: config.kafkaBrokers, clientId: `${config.KAFKA_CLIENT_ID}-insights` }),
        CqrsModule.forRoot(),
        HealthModule,
        MetricsModule.forApp('insights'),
        AuthModule,
        ReadModelModule,
        ClinicsModule,
        StatsModule,
        SignalsModule,
        CasesModule,
        PublicModule,
        DashboardModule,
      ],
      providers: [{ provide: InsightsConfig, useValue: config }],
      exports: [InsightsConfig],
    };
  }
}
