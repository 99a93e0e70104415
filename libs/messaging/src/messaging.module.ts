import { Global, Logger, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { TOPIC_SPECS } from '@smp/contracts';
import { createKafka, ensureTopics } from './kafka.js';

export const KAFKA = Symbol('KAFKA');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');

export interface MessagingOptions {
  brokers: string[];
  clientId: string;
}

class AdminLifecycle implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_ADMIN) private readonly admin: Admin) {}
  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}

/**
 * The Kafka client of an app, and an admin connection that creates the topics
 * (with their partition counts) before anything produces or consumes.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    const logger = new Logger('Kafka');
    return {
      module: MessagingModule,
      providers: [
        { provide: KAFKA, useValue: createKafka(options.brokers, options.clientId, logger) },
        {
          provide: KAFKA_ADMIN,
          inject: [KAFKA],
          useFactory: async (kafka: Kafka) => {
            const admin = kafka.admin();
            await admin.connect();
            await ensureTopics(admin, TOPIC_SPECS);
            return admin;
          },
        },
        AdminLifecycle,
      ],
      exports: [KAFKA, KAFKA_ADMIN],
    };
  }
}
