import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopic } from '@smp/contracts';

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  reason: string;
}

/**
 * Sends poison messages to `<topic>.dlq` unchanged, with headers that say why
 * and where they came from, so they can be inspected and replayed.
 */
export async function sendDeadLetters(producer: Producer, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...groupBy(letters, (letter) => letter.topic)].map(([topic, group]) => ({
      topic: deadLetterTopic(topic),
      messages: group.map((letter) => ({
        key: letter.message.key,
        value: letter.message.value,
        headers: {
          ...(letter.message.headers as IHeaders),
          'dlq-error': letter.reason.slice(0, 1000),
          'dlq-original-topic': letter.topic,
          'dlq-original-partition': String(letter.partition),
          'dlq-original-offset': letter.message.offset,
          'dlq-failed-at': new Date().toISOString(),
        },
      })),
    })),
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
