import { randomUUID } from 'node:crypto';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import pg from 'pg';
import { TOPICS, deadLetterTopic } from '@smp/contracts';
import { createProjections } from '@smp/read-models';
import { eventually, testDatabase, testKafka, unique } from './support/environment.js';
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

  /** A clinic's report of one side effect of the given category, through the intake. */
  const report = (clinic: { clinicId: string; key: string }, category: string, procedureDate: string) =>
    call(`${system.intake}/v1/reports`, {
      key: clinic.key,
      body: {
        clinicId: clinic.clinicId,
        procedureDate,
        reporter: { type: 'clinic' },
        effects: [{ category, onsetDate: procedureDate, severity: 'mild' }],
      },
    });

  /** The reports of one category a clinic sees in its incidence figures, all months together. */
  const reportsSeen = async (clinic: { clinicId: string; key: string }, category: string) => {
    const incidence = await call(`${system.insights}/v1/clinics/${clinic.clinicId}/incidence`, { key: clinic.key });
    const rows = (incidence.body as { rows: Array<{ category: string; reports: number }> }).rows;
    return rows.filter((row) => row.category === category).reduce((sum, row) => sum + row.reports, 0);
  };

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
    expect((await report(clinic, 'scarring', '2026-07-01')).status).toBe(201);
    await eventually(
      async () => ((await reportsSeen(clinic, 'scarring')) === 1 ? true : undefined),
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
      const arrived = (await readDeadLetters(kafka, dlq, marker)).map(({ headers }) => ({
        topic: headers?.['dlq-original-topic']?.toString(),
        partition: headers?.['dlq-original-partition']?.toString(),
        offset: headers?.['dlq-original-offset']?.toString(),
      }));
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

  it('dead-letters, unchanged, a valid event that Postgres refuses every time, counts the rest, and counts it once replayed', async () => {
    const topic = TOPICS.sideEffects;
    const refused = await registerClinic(system, 'Clinic whose counts Postgres refuses');
    const healthy = await registerClinic(system, 'Clinic next to it');
    const trigger = unique('refuse').replaceAll('-', '_');
    const db = testDatabase();
    const kafka = testKafka(unique('replayer'));
    const producer = kafka.producer();
    await producer.connect();
    const counted = async (clinic: { clinicId: string; key: string }) =>
      (await reportsSeen(clinic, 'allergic_reaction')) === 1 ? true : undefined;
    try {
      // A fault only this clinic's events meet, in the transaction that applies them: the projection of the event fails
      // every time, for a reason that is not transient.
      await db.query(
        `CREATE FUNCTION projector.${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$`,
      );
      await db.query(
        `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE ON projector.clinic_category_month FOR EACH ROW
         WHEN (NEW.clinic_id = ${pg.escapeLiteral(refused.clinicId)}) EXECUTE FUNCTION projector.${trigger}()`,
      );
      const bad = await report(refused, 'allergic_reaction', '2026-08-01');
      const good = await report(healthy, 'allergic_reaction', '2026-08-01');
      expect([bad.status, good.status]).toEqual([201, 201]);
      const caseId = (bad.body as { caseId: string }).caseId;

      const [letter] = await readDeadLetters(kafka, deadLetterTopic(topic), caseId);
      expect(letter.headers?.['dlq-error']?.toString()).toMatch(/^handling failed: .*refused by a test trigger/);
      expect(letter.headers?.['dlq-original-topic']?.toString()).toBe(topic);
      expect(letter.headers?.['ce_subject']?.toString()).toBe(caseId);
      expect(JSON.parse(letter.value!.toString())).toMatchObject({ caseId, clinicId: refused.clinicId, category: 'allergic_reaction' });
      await eventually(() => counted(healthy), 60_000, "the other clinic's report counted");
      expect(await reportsSeen(refused, 'allergic_reaction')).toBe(0);

      // The fault mended, the operator replays the dead letter onto its topic: it counts, once.
      await db.query(`DROP TRIGGER ${trigger} ON projector.clinic_category_month`);
      const headers = Object.fromEntries(Object.entries(letter.headers ?? {}).filter(([name]) => !name.startsWith('dlq-')));
      await producer.send({ topic, messages: [{ key: letter.key, value: letter.value, headers: headers as IHeaders }] });
      await eventually(() => counted(refused), 60_000, 'the replayed report counted');
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS ${trigger} ON projector.clinic_category_month`);
      await db.query(`DROP FUNCTION IF EXISTS projector.${trigger}()`);
      await db.end();
      await producer.disconnect();
    }
    const { doubleCounted } = await expectVerified();
    recordFigures(SPEC, 'valid event refused by Postgres, dead-lettered and replayed', {
      scenarios: 1,
      faults: 1,
      poisonEvents: 1,
      accepted: 2,
      doubleCounted,
    });
  }, 180_000);
});

/** The dead letters keyed `marker` in `dlq` (waits for the first). */
async function readDeadLetters(kafka: ReturnType<typeof testKafka>, dlq: string, marker: string): Promise<KafkaMessage[]> {
  const arrived: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: unique('dlq-reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [dlq], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() === marker) arrived.push(message);
    },
  });
  try {
    await eventually(async () => (arrived.length > 0 ? true : undefined), 90_000, `the dead letter ${marker}`);
  } finally {
    await consumer.disconnect();
  }
  return arrived;
}
