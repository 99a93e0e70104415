/** Kafka topics, versioned with their event contracts. */
export const TOPICS = {
  sideEffects: 'smp.side-effects.v1',
  reports: 'smp.reports.v1',
  procedures: 'smp.procedures.v1',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Event topics keep everything (-1): a rebuild replays them from the beginning. */
  retentionMs?: number;
}

/**
 * Every topic the system uses, with its partition count. Keyed by case id, so
 * partitions bound how many projector instances can share the work.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: TOPICS.sideEffects, numPartitions: 6, retentionMs: -1 },
  { topic: deadLetterTopic(TOPICS.sideEffects), numPartitions: 1 },
  { topic: TOPICS.reports, numPartitions: 6, retentionMs: -1 },
  { topic: deadLetterTopic(TOPICS.reports), numPartitions: 1 },
  { topic: TOPICS.procedures, numPartitions: 6, retentionMs: -1 },
  { topic: deadLetterTopic(TOPICS.procedures), numPartitions: 1 },
];
