/** Kafka topics, versioned with their event contracts. */
export const TOPICS = {
  sideEffects: 'smp.side-effects.v1',
  reports: 'smp.reports.v1',
  procedures: 'smp.procedures.v1',
  clinics: 'smp.clinics.v1',
  pigments: 'smp.pigments.v1',
  signals: 'smp.signals.v1',
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
  // Registries are small: one partition keeps each in registration order. Keyed by clinic or pigment id.
  { topic: TOPICS.clinics, numPartitions: 1, retentionMs: -1 },
  { topic: deadLetterTopic(TOPICS.clinics), numPartitions: 1 },
  { topic: TOPICS.pigments, numPartitions: 1, retentionMs: -1 },
  { topic: deadLetterTopic(TOPICS.pigments), numPartitions: 1 },
  // Signal raised / cleared, keyed by pigment id: consumers outside the system (a regulator's case system).
  { topic: TOPICS.signals, numPartitions: 3, retentionMs: -1 },
];
