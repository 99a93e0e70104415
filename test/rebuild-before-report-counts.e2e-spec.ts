import { runCli } from './support/cli.js';
import { eventually, testDatabase } from './support/environment.js';
import { expectVerified } from './support/load.js';
import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * An installation whose topics hold side effects recorded before report counts: the intake's events then did not say
 * which side effect counts its case across categories (countsCase). Migration 1763769600012 recounted the live read
 * models once; a later `rebuild` replays those events again, and must count their reports as exactly.
 *
 * The older intake is the real one with a trigger on its outbox that drops the two fields from each event it writes.
 */
describe('rebuild from topics written before report counts', () => {
  let system: RunningSystem;
  let regulatorKey: string;
  const db = testDatabase();

  beforeAll(async () => {
    system = await startSystem(15500);
    regulatorKey = await createKey(system, 'regulator');
  }, 120_000);

  afterAll(async () => {
    await dropTrigger();
    await system?.stop();
    await db.end();
  });

  async function dropTrigger(): Promise<void> {
    await db.query(`DROP TRIGGER IF EXISTS as_before_report_counts ON intake.outbox`);
    await db.query(`DROP FUNCTION IF EXISTS intake.as_before_report_counts()`);
  }

  const count = async (query: string) => {
    const { status, body } = await call(`${system.insights}/v1/stats/count?${query}&country=AD&limit=1000`, { key: regulatorKey });
    expect(status).toBe(200);
    return body.rows as Array<{ term: string; count: number }>;
  };

  it('counts each report once across categories after replaying events that do not say which side effect counts it', async () => {
    // Andorra: no other spec's country.
    const clinic = await registerClinic(system, 'Clinic before report counts', 'AD');
    await db.query(`
      CREATE FUNCTION intake.as_before_report_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.data := NEW.data - 'countsCase' - 'countsCaseForSeverity';
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER as_before_report_counts BEFORE INSERT ON intake.outbox
                      FOR EACH ROW EXECUTE FUNCTION intake.as_before_report_counts()`);
    const effect = (category: string, severity: string) => ({ category, onsetDate: '2026-04-12', severity });
    for (const effects of [[effect('infection', 'mild'), effect('scarring', 'moderate')], [effect('infection', 'mild')]]) {
      const { status } = await call(`${system.intake}/v1/reports`, {
        body: { clinicId: clinic.clinicId, procedureDate: '2026-04-10', reporter: { type: 'client' }, effects, outcome: 'recovering' },
      });
      expect(status).toBe(201);
    }
    await dropTrigger();
    const complications = async () => (await count('field=category')).reduce((sum, row) => sum + row.count, 0);
    await eventually(async () => ((await complications()) === 3 ? true : undefined), 30_000, 'the three complications');
    // Projected as they are, the two reports count in each category and nowhere across categories, which verify sees.
    expect(await count('field=category')).toEqual([
      { term: 'infection', count: 2 },
      { term: 'scarring', count: 1 },
    ]);
    expect((await count('field=clinic')).filter((row) => row.count > 0)).toEqual([]);
    // The projector counts them on /metrics (and warns in its log).
    const metrics = await (await fetch(`${system.projector}/metrics`)).text();
    const uncountedSeen = /^smp_projector_side_effects_without_case_counting_total\{topic="smp\.side-effects\.v1"\} (\d+)$/m.exec(metrics);
    expect(Number(uncountedSeen?.[1])).toBeGreaterThanOrEqual(3);
    const before = await runCli('verify', '--wait-seconds', '30');
    expect(before.code).not.toBe(0);
    expect(before.output).toContain(`report_term_month subject=clinic term=${clinic.clinicId} month=2026-04-01: expected reports=2`);

    const rebuild = await runCli('rebuild');
    expect(rebuild.code).toBe(0);
    const uncounted = /rebuild: (\d+) side effects recorded before report counts/.exec(rebuild.output);
    expect(Number(uncounted?.[1])).toBeGreaterThanOrEqual(3);
    expect(rebuild.output).toContain('the rebuilt read models are live');

    await eventually(
      async () => ((await count('field=clinic')).some((row) => row.count > 0) ? true : undefined),
      30_000,
      'the recounted reports',
    );
    expect(await count('field=clinic')).toEqual([{ term: clinic.clinicId, count: 2 }]);
    expect(await count('field=country')).toEqual([{ term: 'AD', count: 2 }]);
    expect(await count('field=month')).toEqual([{ term: '2026-04', count: 2 }]);
    expect(await count('field=outcome')).toEqual([{ term: 'recovering', count: 2 }]);
    expect(await count('field=severity')).toEqual([
      { term: 'mild', count: 2 },
      { term: 'moderate', count: 1 },
    ]);
    expect(await count('field=category')).toEqual([
      { term: 'infection', count: 2 },
      { term: 'scarring', count: 1 },
    ]);
    await expectVerified();
  }, 300_000);
});
