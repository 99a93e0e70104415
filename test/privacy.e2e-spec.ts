import { readFileSync } from 'node:fs';
import { TOPIC_SPECS } from '@smp/contracts';
import { eventually, testKafka, unique } from './support/environment.js';
import { call, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * Personal data (contact, narratives, descriptions, medical information,
 * notes) stays in intake: it is in no event on any topic, in no log line, in
 * no non-admin answer. The markers below are written through every path that
 * takes personal data, then searched for everywhere.
 */
describe('personal data never leaves intake', () => {
  let system: RunningSystem;
  let clinic: { clinicId: string; key: string };
  const marker = unique('PRIVATE').replace(/-/g, '');
  const email = `${marker.toLowerCase()}@example.org`;

  beforeAll(async () => {
    system = await startSystem(13700);
    clinic = await registerClinic(system);
  }, 120_000);

  afterAll(() => system?.stop());

  it('keeps every personal field out of the topics, the logs and non-admin answers', async () => {
    const submitted = await call(`${system.intake}/v1/reports`, {
      body: {
        clinicId: clinic.clinicId,
        procedureDate: '2026-07-01',
        reporter: { type: 'client', contact: { email, phone: '+31 6 1234 5678' } },
        effects: [{ category: 'inflammation', onsetDate: '2026-07-02', severity: 'mild', description: `${marker} description` }],
        narrative: `${marker} narrative`,
      },
    });
    expect(submitted.status).toBe(201);
    const { caseId, followUpToken } = submitted.body;
    const followUp = await call(`${system.intake}/v1/reports/${caseId}/follow-ups`, {
      body: {
        medicalInformation: `${marker} medical`,
        addEffects: [{ category: 'other', onsetDate: '2026-07-05', severity: 'mild', description: `${marker} other` }],
      },
      headers: { 'x-follow-up-token': followUpToken },
    });
    expect(followUp.status).toBe(201);
    const withdrawn = await call(`${system.intake}/v1/reports/${caseId}/nullification`, {
      body: { reason: 'withdrawn_by_reporter', note: `${marker} note` },
      headers: { 'x-follow-up-token': followUpToken },
    });
    expect(withdrawn).toMatchObject({ status: 201, body: { version: 3, nullified: true } });
    const rejected = await call(`${system.intake}/v1/reports`, {
      body: { clinicId: clinic.clinicId, narrative: `${marker} rejected`, reporter: { type: 'client', contact: { email } } },
    });
    expect(rejected.status).toBe(400);
    expect(JSON.stringify(rejected.body)).not.toContain(marker.toLowerCase());

    // Every topic, from the beginning, until this case's last event has gone by.
    const consumer = testKafka(unique('privacy')).consumer({ groupId: unique('privacy') });
    let sawLastVersion = false;
    const leaks: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: TOPIC_SPECS.map((spec) => spec.topic), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const text = `${message.key ?? ''} ${message.value ?? ''} ${JSON.stringify(message.headers ?? {})}`.toLowerCase();
        if (text.includes(marker.toLowerCase()) || text.includes('1234 5678')) leaks.push(`${topic}@${message.offset}`);
        if (text.includes(caseId.toLowerCase()) && text.includes('"caseversion":3')) sawLastVersion = true;
      },
    });
    try {
      await eventually(async () => (sawLastVersion ? true : undefined), 20_000, 'the nullification events');
    } finally {
      await consumer.disconnect();
    }
    expect(leaks).toEqual([]);

    const versions = await call(`${system.intake}/v1/reports/${caseId}/versions`, { key: clinic.key });
    expect(versions.status).toBe(200);
    expect(JSON.stringify(versions.body).toLowerCase()).not.toContain(marker.toLowerCase());
    const asAdmin = await call(`${system.intake}/v1/reports/${caseId}/versions`, { key: system.adminKey });
    expect(JSON.stringify(asAdmin.body)).toContain(`${marker} narrative`);

    for (const app of Object.values(system.apps)) {
      const log = readFileSync(app.logFile, 'utf8').toLowerCase();
      expect({ app: app.app, leaks: log.includes(marker.toLowerCase()) || log.includes('1234 5678') }).toEqual({
        app: app.app,
        leaks: false,
      });
    }
  });
});
