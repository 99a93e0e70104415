import { runCli } from './support/cli.js';
import { eventually, testDatabase } from './support/environment.js';
import { expectVerified } from './support/load.js';
import { call, createKey, registerClinic, startSystem, type RunningSystem } from './support/running-system.js';

/**
 * A rolling upgrade that leaves an intake from before report counts running beside a newer one: the older intake's
 * side-effect events do not say which side effect counts its case across categories (countsCase). The projector must
 * count those reports exactly all the same, live and in a `rebuild` that replays them, whichever intake wrote each
 * version of a case.
 *
 * The older intake is the real one with a trigger on its outbox that drops the two fields from each event it writes.
 */
describe('side effects from an intake older than report counts', () => {
  let system: RunningSystem;
  let regulatorKey: string;
  const db = testDatabase();

  beforeAll(async () => {
    system = await startSystem(15500);
    regulatorKey = await createKey(system, 'regulator');
    await db.query(`
      CREATE OR REPLACE FUNCTION intake.as_before_report_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.data := NEW.data - 'countsCase' - 'countsCaseForSeverity';
        RETURN NEW;
      END $$`);
  }, 120_000);

  afterAll(async () => {
    await asNewerIntake();
    await db.query(`DROP FUNCTION IF EXISTS intake.as_before_report_counts()`);
    await system?.stop();
    await db.end();
  });

  const asOlderIntake = () =>
    db.query(`CREATE TRIGGER as_before_report_counts BEFORE INSERT ON intake.outbox
                FOR EACH ROW EXECUTE FUNCTION intake.as_before_report_counts()`);
  const asNewerIntake = () => db.query(`DROP TRIGGER IF EXISTS as_before_report_counts ON intake.outbox`);

  const count = async (query: string) => {
    const { status, body } = await call(`${system.insights}/v1/stats/count?${query}&country=AD&limit=1000`, { key: regulatorKey });
    expect(status).toBe(200);
    return (body.rows as Array<{ term: string; count: number }>).filter((row) => row.count > 0);
  };

  const expectEachReportCountedOnce = async (clinicId: string) => {
    expect(await count('field=clinic')).toEqual([{ term: clinicId, count: 3 }]);
    expect(await count('field=country')).toEqual([{ term: 'AD', count: 3 }]);
    expect(await count('field=month')).toEqual([{ term: '2026-04', count: 3 }]);
    expect(await count('field=outcome')).toEqual([{ term: 'recovering', count: 3 }]);
    expect(await count('field=severity')).toEqual([
      { term: 'mild', count: 2 },
      { term: 'moderate', count: 2 },
    ]);
    expect(await count('field=category')).toEqual([
      { term: 'infection', count: 2 },
      { term: 'scarring', count: 2 },
    ]);
  };

  it('counts each report once across categories, live and after a rebuild, whichever intake wrote each version', async () => {
    // Andorra: no other spec's country.
    const clinic = await registerClinic(system, 'Clinic of a rolling upgrade', 'AD');
    const effect = (category: string, severity: string) => ({ category, onsetDate: '2026-04-12', severity });
    const submit = async (effects: Array<ReturnType<typeof effect>>) => {
      const { status, body } = await call(`${system.intake}/v1/reports`, {
        body: { clinicId: clinic.clinicId, procedureDate: '2026-04-10', reporter: { type: 'client' }, effects, outcome: 'recovering' },
      });
      expect(status).toBe(201);
      return body as { caseId: string; followUpToken: string };
    };

    // The older intake takes two reports (one with two complications), the newer one a third, which the older one then
    // amends: infection withdrawn, so that its scarring now counts the case.
    await asOlderIntake();
    await submit([effect('infection', 'mild'), effect('scarring', 'moderate')]);
    await submit([effect('infection', 'mild')]);
    await asNewerIntake();
    const amended = await submit([effect('infection', 'moderate'), effect('scarring', 'moderate')]);
    await asOlderIntake();
    const followUp = await call(`${system.intake}/v1/reports/${amended.caseId}/follow-ups`, {
      body: { withdrawCategories: ['infection'] },
      headers: { 'x-follow-up-token': amended.followUpToken },
    });
    expect(followUp.status).toBe(201);
    await asNewerIntake();

    // Four complications once the amendment is in (infection 2, scarring 2).
    const complications = async () => (await count('field=category')).map((row) => `${row.term}=${row.count}`).join(',');
    await eventually(async () => ((await complications()) === 'infection=2,scarring=2' ? true : undefined), 30_000, 'the amendment');
    await expectEachReportCountedOnce(clinic.clinicId);
    // The projector counts them on /metrics (and warns in its log that such an intake is still publishing).
    const metrics = await (await fetch(`${system.projector}/metrics`)).text();
    const uncountedSeen = /^smp_projector_side_effects_without_case_counting_total\{topic="smp\.side-effects\.v1"\} (\d+)$/m.exec(metrics);
    expect(Number(uncountedSeen?.[1])).toBeGreaterThanOrEqual(4);
    await expectVerified();

    const rebuild = await runCli('rebuild');
    expect(rebuild.code).toBe(0);
    const uncounted = /rebuild: (\d+) side effects recorded before report counts/.exec(rebuild.output);
    expect(Number(uncounted?.[1])).toBeGreaterThanOrEqual(4);
    expect(rebuild.output).toContain('the rebuilt read models are live');
    await eventually(async () => ((await complications()) === 'infection=2,scarring=2' ? true : undefined), 30_000, 'the rebuilt figures');
    await expectEachReportCountedOnce(clinic.clinicId);
    await expectVerified();
  }, 300_000);
});
