import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { TOPICS, deadLetterTopic } from '@smp/contracts';
import { createProjections } from '@smp/read-models';
import { eventually, testKafka, unique } from './support/environment.js';
import { expectVerified, printFigureTotals, recordFigures } from './support/load.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * Poison written straight to every topic the projector reads: not JSON, an
 * unknown type, a type of another version, data missing its fields, another
 * CloudEvents version, no CloudEvent at all. Each lands in the topic's
 * dead-letter topic with the reason, and the projector keeps counting.
 */
describe('poison events', () => {
  const SPEC = 'fuzz-events';
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };

  beforeAll(async () => {
    system = await startSystem(15400);
    clinic = await registerClinic(system, 'Poisoned clinic');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    printFigureTotals();
  });

  it('sends every kind of poison on every projected topic to its dead-letter topic, and keeps counting', async () => {
    const projections = createProjections();
    const marker = unique('poison');
    const headers = (type: string, overrides: Record<string, string | undefined> = {}): IHeaders => {
      const all: Record<string, string | undefined> = {
        ce_specversion: '1.0',
        ce_id: randomUUID(),
        ce_type: type,
        ce_source: '/smp-vigil/poisoner',
        ce_subject: marker,
        ce_time: new Date().toISOString(),
        'content-type': 'application/json',
        ...overrides,
      };
      return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
    };
    const poisons = projections.flatMap((projection) => {
      const type = projection.types[0];
      const kinds: Array<[string, { value: string | null; headers: IHeaders }]> = [
        ['not JSON', { value: '{"caseId": "SMP-2026-0', headers: headers(type) }],
        ['unknown type', { value: '{}', headers: headers('org.smpvigil.unknown.v1') }],
        ['another version', { value: '{}', headers: headers(type.replace(/v\d+$/, 'v99')) }],
        ['fields missing', { value: '{}', headers: headers(type) }],
        ['data not an object', { value: '[1, 2, 3]', headers: headers(type) }],
        ['another CloudEvents version', { value: '{}', headers: headers(type, { ce_specversion: '0.3' }) }],
        ['not a CloudEvent', { value: '{}', headers: {} }],
        ['no value', { value: null, headers: headers(type) }],
      ];
      return kinds.map(([kind, message]) => ({ topic: projection.topic, kind, key: `${marker}-${projection.topic}-${kind}`, ...message }));
    });
    expect(new Set(poisons.map((poison) => poison.topic)).size).toBe(projections.length);

    const kafka = testKafka(unique('poisoner'));
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (const poison of poisons)
        await producer.send({ topic: poison.topic, messages: [{ key: poison.key, value: poison.value, headers: poison.headers }] });
    } finally {
      await producer.disconnect();
    }

    const arrived = new Map<string, { topic: string; reason: string }>();
    const consumer = kafka.consumer({ groupId: unique('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(poisons.map((poison) => deadLetterTopic(poison.topic)))], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (key.startsWith(marker)) {
          arrived.set(key, {
            topic: message.headers?.['dlq-original-topic']?.toString() ?? '',
            reason: message.headers?.['dlq-error']?.toString() ?? '',
          });
        }
      },
    });
    try {
      await eventually(async () => (arrived.size === poisons.length ? true : undefined), 60_000, 'every poison in its dead-letter topic');
    } finally {
      await consumer.disconnect();
    }
    for (const poison of poisons) {
      expect({ key: poison.key, topic: arrived.get(poison.key)?.topic, reason: Boolean(arrived.get(poison.key)?.reason) }).toEqual({
        key: poison.key,
        topic: poison.topic,
        reason: true,
      });
    }

    // Still the same projector, and it still counts.
    expect(system.apps.projector.exited()).toBe(false);
    const report = await call(`${system.intake}/v1/reports`, {
      key: clinic.key,
      body: {
        clinicId: clinic.clinicId,
        procedureDate: '2026-07-01',
        reporter: { type: 'clinic' },
        effects: [{ category: 'scarring', onsetDate: '2026-07-03', severity: 'mild' }],
      },
    });
    expect(report.status).toBe(201);
    await eventually(
      async () => {
        const incidence = await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: clinic.key });
        return JSON.stringify(incidence.body).includes('scarring') ? true : undefined;
      },
      60_000,
      'the report after the poison counted',
    );
    const { doubleCounted } = await expectVerified();
    recordFigures(SPEC, 'poison events on every projected topic', {
      scenarios: 1,
      faults: poisons.length,
      poisonEvents: poisons.length,
      accepted: 1,
      doubleCounted,
    });
  }, 180_000);

  it('holds a poison event until its dead-letter topic takes it: nothing after it is committed, and then it goes', async () => {
    const topic = TOPICS.procedures;
    const dlq = deadLetterTopic(topic);
    const groupId = process.env.PROJECTOR_GROUP_ID ?? 'smp-projector';
    const marker = unique('held-poison');
    const kafka = testKafka(unique('poisoner'));
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    const committed = async (partition: number) => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return Number(offsets.partitions.find((candidate) => candidate.partition === partition)?.offset ?? -1);
    };
    try {
      await admin.deleteTopics({ topics: [dlq] });
      await eventually(async () => ((await admin.listTopics()).includes(dlq) ? undefined : true), 30_000, 'the dead-letter topic gone');
      const [sent] = await producer.send({
        topic,
        messages: [{ key: marker, value: 'not JSON at all', headers: { ce_specversion: '1.0' } }],
      });
      const poisonOffset = Number(sent.baseOffset);

      // The projector reads the poison and cannot dead-letter it: its partition's commit stays before it.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      expect(await committed(sent.partition)).toBeLessThanOrEqual(poisonOffset);
      expect(system.apps.projector.exited()).toBe(false);

      await admin.createTopics({ topics: [{ topic: dlq, numPartitions: 1 }], waitForLeaders: true });
      const arrived = await readDeadLetters(kafka, dlq, marker);
      // Dead letters are sent at least once; every copy names where the poison came from.
      expect(new Set(arrived.map((letter) => JSON.stringify(letter)))).toEqual(
        new Set([JSON.stringify({ topic, partition: String(sent.partition), offset: String(poisonOffset) })]),
      );
      await eventually(
        async () => ((await committed(sent.partition)) > poisonOffset ? true : undefined),
        60_000,
        'the commit past the poison',
      );
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    recordFigures(SPEC, 'poison held while its dead-letter topic is missing', { scenarios: 1, faults: 1, poisonEvents: 1 });
  }, 180_000);
});

/** The dead letters of `marker` in `dlq` (waits for the first), with where each came from. */
async function readDeadLetters(kafka: ReturnType<typeof testKafka>, dlq: string, marker: string) {
  const arrived: Array<{ topic: string; partition: string; offset: string }> = [];
  const consumer = kafka.consumer({ groupId: unique('dlq-reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [dlq], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== marker) return;
      arrived.push({
        topic: message.headers?.['dlq-original-topic']?.toString() ?? '',
        partition: message.headers?.['dlq-original-partition']?.toString() ?? '',
        offset: message.headers?.['dlq-original-offset']?.toString() ?? '',
      });
    },
  });
  try {
    await eventually(async () => (arrived.length > 0 ? true : undefined), 90_000, 'the held poison in its dead-letter topic');
  } finally {
    await consumer.disconnect();
  }
  return arrived;
}
