import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { SIDE_EFFECT_RECORDED_V1, TOPICS, deadLetterTopic } from '@smp/contracts';
import { eventually, testDatabase, testKafka, unique } from './support/environment.js';
import { createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * The walking skeleton, end to end through the running apps: a report posted
 * to intake reaches Kafka as a CloudEvent, the projector counts it once, and
 * insights shows the count.
 */
describe('a report, from intake to the clinic incidence figures', () => {
  let system: RunningSystem;
  let db: Pool;
  let regulatorKey: string;

  beforeAll(async () => {
    system = await startSystem(13000);
    db = testDatabase();
    regulatorKey = await createKey(system, 'regulator');
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await db?.end();
  });

  const post = (body: unknown) =>
    fetch(`${system.intake}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const incidence = async (clinicId: string, query = '') => {
    const response = await fetch(`${system.insights}/v1/clinics/${clinicId}/incidence${query}`, {
      headers: { authorization: `Bearer ${regulatorKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { rows: Array<{ month: string; category: string; reports: number; serious: number }> };
  };

  const report = (clinicId: string) => ({
    clinicId,
    procedureDate: '2026-06-10',
    reporter: { type: 'client', contact: { email: 'reporter@example.org', phone: '+44 20 7946 0000' } },
    patient: { ageYears: 34, sex: 'male', skinConditions: ['eczema'] },
    narrative: 'Private story: redness spread over the crown after the second session.',
    effects: [
      { category: 'infection', onsetDate: '2026-06-14', severity: 'moderate' },
      { category: 'inflammation', onsetDate: '2026-06-11', severity: 'mild' },
    ],
  });

  it('answers 201 with a case id, and the count moves in insights', async () => {
    const { clinicId } = await registerClinic(system);
    expect((await incidence(clinicId)).rows).toEqual([]);

    const response = await post(report(clinicId));
    expect(response.status).toBe(201);
    const created = await response.json();
    expect(created).toEqual({
      caseId: expect.stringMatching(/^SMP-\d{4}-\d{6}$/),
      version: 1,
      serious: true,
      seriousReasons: ['infection'],
      reportingDueBy: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      followUpToken: expect.stringMatching(/^[\w-]{32}$/),
    });

    const rows = await eventually(
      async () => {
        const { rows } = await incidence(clinicId);
        return rows.length === 2 ? rows : undefined;
      },
      15_000,
      'the report to show in insights',
    );
    // No procedures recorded by this clinic for June: counts, but no rate to show. (The network rate depends on what other
    // specs recorded in the shared database, so it is not pinned here; test/insights pins it on a network of its own.)
    const noRate = { procedures: 0, ratePer1000: null, ci95: null };
    expect(rows).toMatchObject([
      { month: '2026-06', category: 'infection', reports: 1, serious: 1, ...noRate },
      { month: '2026-06', category: 'inflammation', reports: 1, serious: 1, ...noRate },
    ]);
    expect(rows).toHaveLength(2);

    await post(report(clinicId));
    await eventually(async () => ((await incidence(clinicId)).rows[0]?.reports === 2 ? true : undefined), 15_000, 'the second report');
    expect(await incidence(clinicId, '?category=infection&from=2026-06&to=2026-06')).toMatchObject({
      rows: [{ month: '2026-06', category: 'infection', reports: 2, serious: 2 }],
    });
    expect((await incidence(clinicId, '?from=2026-07')).rows).toEqual([]);
  });

  it('rejects an invalid report with problem details naming each bad field, and stores nothing', async () => {
    const { clinicId } = await registerClinic(system);
    const response = await post({
      clinicId,
      procedureDate: '2026-02-30',
      effects: [{ category: 'itching', onsetDate: '2026-03-01', severity: 'bad' }],
      unexpected: 'unknown property',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { correlationId: string; errors: Array<{ field: string }> };
    expect(problem).toMatchObject({ status: 400, title: 'The request is not valid', instance: '/v1/reports' });
    expect(problem.correlationId).toBe(response.headers.get('x-correlation-id'));
    expect(problem.errors.map((error: { field: string }) => error.field).sort()).toEqual(
      ['effects[0].category', 'effects[0].severity', 'procedureDate', 'reporter', 'unexpected'].sort(),
    );

    const onsetBefore = await post({ ...report(clinicId), effects: [{ category: 'scarring', onsetDate: '2026-06-01', severity: 'mild' }] });
    expect(onsetBefore.status).toBe(400);
    expect(((await onsetBefore.json()) as { errors: unknown }).errors).toEqual([
      { field: 'effects[0].onsetDate', message: 'onsetDate 2026-06-01 is before the procedure date 2026-06-10' },
    ]);

    const notJson = await fetch(`${system.intake}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"clinicId":',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const { rows } = await db.query('SELECT count(*)::int AS n FROM intake.cases WHERE clinic_id = $1', [clinicId]);
    expect(rows[0].n).toBe(0);
  });

  it('publishes one CloudEvent per side effect, keyed by case id, without personal data', async () => {
    const { clinicId } = await registerClinic(system);
    const postedAt = new Date(Date.now() - 1_000).toISOString();
    const response = await post(report(clinicId));
    const { caseId } = (await response.json()) as { caseId: string };

    const consumer = testKafka(unique('inspector')).consumer({ groupId: unique('inspector') });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.sideEffects, fromBeginning: true });
    const seen: Array<{ key: string; headers: Record<string, string>; value: Record<string, unknown> }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== caseId) return;
        const value = JSON.parse(message.value!.toString());
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, header]) => [name, String(header)]));
        // Only this run's events, even against a broker kept from earlier runs.
        if (value.clinicId !== clinicId || headers.ce_time < postedAt) return;
        seen.push({ key: caseId, headers, value });
      },
    });
    try {
      await eventually(async () => (seen.length >= 2 ? true : undefined), 20_000, 'both side-effect events');
    } finally {
      await consumer.disconnect();
    }

    expect(seen).toHaveLength(2);
    for (const event of seen) {
      expect(event.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_type: SIDE_EFFECT_RECORDED_V1,
        ce_source: '/smp-vigil/intake',
        ce_subject: caseId,
        'content-type': 'application/json',
      });
      expect(event.headers.ce_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Object.keys(event.value).sort()).toEqual(
        [
          'caseId',
          'caseVersion',
          'category',
          'clinicId',
          'onsetDate',
          'procedureDate',
          'serious',
          'severity',
          'countsCase',
          'countsCaseForSeverity',
        ].sort(),
      );
      expect(JSON.stringify(event)).not.toMatch(/example\.org|7946|Private story/);
    }
    expect(new Set(seen.map((event) => event.headers.ce_id)).size).toBe(2);
    // The report counts once across categories (by infection, first in code order), and once for each of its severities.
    expect(
      seen
        .map(({ value }) => [value.category, value.severity, value.countsCase, value.countsCaseForSeverity])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    ).toEqual([
      ['infection', 'moderate', true, true],
      ['inflammation', 'mild', false, true],
    ]);

    const { rows } = await db.query('SELECT count(*)::int AS n FROM intake.outbox WHERE message_key = $1', [caseId]);
    expect(rows[0].n).toBe(0);
  });

  it('sends a poison event to the dead-letter topic and keeps counting', async () => {
    const kafka = testKafka(unique('poisoner'));
    const producer = kafka.producer();
    await producer.connect();
    const marker = unique('poison');
    await producer.send({
      topic: TOPICS.sideEffects,
      messages: [
        {
          key: marker,
          value: '{"not json',
          headers: {
            ce_specversion: '1.0',
            ce_id: marker,
            ce_type: SIDE_EFFECT_RECORDED_V1,
            ce_source: '/test',
            'content-type': 'application/json',
          },
        },
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: unique('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic(TOPICS.sideEffects), fromBeginning: true });
    let headers: Record<string, string> | undefined;
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === marker) {
          headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        }
      },
    });
    try {
      await eventually(async () => headers, 20_000, 'the dead letter');
    } finally {
      await consumer.disconnect();
    }
    expect(headers).toMatchObject({
      'dlq-error': 'message value is not valid JSON',
      'dlq-original-topic': TOPICS.sideEffects,
      ce_id: marker,
    });
    expect(Number(headers!['dlq-original-partition'])).toBeGreaterThanOrEqual(0);
    expect(Number(headers!['dlq-original-offset'])).toBeGreaterThanOrEqual(0);

    const { clinicId } = await registerClinic(system);
    await post(report(clinicId));
    await eventually(async () => ((await incidence(clinicId)).rows.length === 2 ? true : undefined), 15_000, 'a report after the poison');

    const metrics = await (await fetch(`${system.projector}/metrics`)).text();
    expect(Number(/smp_projector_dead_letters_total\{topic="smp\.side-effects\.v1"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/smp_projector_events_applied_total\{topic="smp\.side-effects\.v1"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(
      2,
    );
    expect(metrics).toMatch(/smp_projector_consumer_lag\{topic="smp\.side-effects\.v1",partition="\d+"\} \d+/);
    expect(metrics).toMatch(/smp_projector_batch_seconds_count\{topic="smp\.side-effects\.v1"\} \d+/);
  });

  it('reports Postgres and Kafka on /health of every app', async () => {
    for (const base of [system.intake, system.insights, system.projector]) {
      const response = await fetch(`${base}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' }, kafka: { status: 'up' } } });
    }
  });

  it('writes no personal data to any log', () => {
    for (const app of Object.values(system.apps)) {
      const log = readFileSync(app.logFile, 'utf8');
      expect(log.length).toBeGreaterThan(0);
      expect(log).not.toMatch(/example\.org|7946 0000|Private story/);
    }
  });
});
