import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Admin } from 'kafkajs';
import { KAFKA_ADMIN } from '@smp/messaging';

/** Kafka is healthy when the cluster answers a metadata request. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy(key: string) {
    return this.health
      .check(key)
      .attempt(async () => {
        const cluster = await this.admin.describeCluster();
        return { brokers: cluster.brokers.length };
      })
      .withTimeout(3_000);
  }
}
