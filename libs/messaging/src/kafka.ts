import kafkajs, { type Admin, type Kafka, type KafkaConfig, type logCreator } from 'kafkajs';
import type { TopicSpec } from '@smp/contracts';
import type { Logger } from '@nestjs/common';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** kafkajs logs through Nest's logger, at warn and above. */
function nestLogCreator(logger: Pick<Logger, 'warn' | 'error'>): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      const line = `${log.namespace ?? 'kafkajs'}: ${message} ${JSON.stringify(extra)}`;
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
    };
}

export function createKafka(
  brokers: string[],
  clientId: string,
  logger: Pick<Logger, 'warn' | 'error'>,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return new KafkaClient({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: nestLogCreator(logger),
    retry: { initialRetryTime: 200, retries: 8 },
    ...overrides,
  });
}

/**
 * Creates the topics with their partition counts (the broker never
 * auto-creates). Topics that exist are left as they are.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.numPartitions,
      replicationFactor: 1,
      configEntries: spec.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(spec.retentionMs) }],
    })),
  });
}
