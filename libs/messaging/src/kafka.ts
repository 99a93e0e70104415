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
 * How long the broker may hold a fetch that finds nothing new (kafkajs's `maxWaitTimeInMs`, 5 s unless given). A
 * consumer leaving (a shutdown, a rebalance) first waits for its fetch in flight to come back (kafkajs #1606), so this is
 * how long stopping a caught-up projector takes; a fetch that finds events returns at once whatever it is. At 500 ms an
 * idle consumer asks twice a second.
 */
export const FETCH_MAX_WAIT_MS = 500;

/** Replicas of every topic: three where the cluster has three brokers or more (see docs/SCALING.md), else one per broker. */
export const MAX_REPLICATION_FACTOR = 3;

/**
 * Creates the topics with their partition counts (the broker never
 * auto-creates). Topics that exist are left as they are. The replication
 * factor follows the cluster: 1 on the single development broker, 3 on a
 * cluster of three or more (whose min.insync.replicas of 2 then lets one
 * broker fail without losing an acknowledged write).
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return;
  const { brokers } = await admin.describeCluster();
  const replicationFactor = Math.max(1, Math.min(MAX_REPLICATION_FACTOR, brokers.length));
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.numPartitions,
      replicationFactor,
      configEntries: spec.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(spec.retentionMs) }],
    })),
  });
}
