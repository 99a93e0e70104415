// Usage: node scripts/kafka.mjs start|stop|status
// Manages the local Kafka broker kept in .cache/kafka/data (KAFKA_PORT and
// KAFKA_CONTROLLER_PORT override the default ports 9092 and 9093).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKafka, kafkaStatus, stopKafka } from './lib/kafka.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dataDir = path.join(repoRoot, '.cache', 'kafka', 'data');
const port = Number(process.env.KAFKA_PORT || 9092);
const controllerPort = Number(process.env.KAFKA_CONTROLLER_PORT || 9093);

const commands = {
  async start() {
    const kafka = await ensureKafka({ dataDir, port, controllerPort });
    console.log(`Kafka ${kafka.startedByUs ? 'started' : 'already running'} on ${kafka.brokers} (pid ${kafka.pid})`);
  },
  async stop() {
    await stopKafka({ dataDir });
    console.log('Kafka stopped');
  },
  async status() {
    const { running, answering, pid, brokers } = await kafkaStatus({
      dataDir,
      port,
    });
    if (!running) {
      console.log('Kafka is not running');
      process.exitCode = 1;
    } else if (!answering) {
      console.log(`Kafka pid ${pid} is running but does not answer on ${brokers}`);
      process.exitCode = 1;
    } else {
      console.log(`Kafka is running on ${brokers} (pid ${pid})`);
    }
  },
};

const command = commands[process.argv[2]];
if (!command) {
  console.error('Usage: node scripts/kafka.mjs start|stop|status');
  process.exit(2);
}
try {
  await command();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
