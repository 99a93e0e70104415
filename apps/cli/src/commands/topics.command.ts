import { Command, CommandRunner } from 'nest-commander';
import { Logger } from '@nestjs/common';
import { CommonConfig } from '@smp/config';
import { TOPIC_SPECS } from '@smp/contracts';
import { createKafka, ensureTopics } from '@smp/messaging';

/** Creates the Kafka topics with their partition counts. */
@Command({ name: 'topics', description: 'create the Kafka topics (and dead-letter topics) that are missing' })
export class TopicsCommand extends CommandRunner {
  constructor(private readonly config: CommonConfig) {
    super();
  }

  async run(): Promise<void> {
    const admin = createKafka(this.config.kafkaBrokers, `${this.config.KAFKA_CLIENT_ID}-cli`, new Logger('Kafka')).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, TOPIC_SPECS);
      for (const spec of TOPIC_SPECS) console.log(`${spec.topic}: ${spec.numPartitions} partition(s)`);
    } finally {
      await admin.disconnect();
    }
  }
}
