import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SIDE_EFFECT_RECORDED_V1, SIDE_EFFECT_RETRACTED_V1, type SideEffectRecordedV1 } from '@smp/contracts';
import { COUNTS_NOTHING, SEVERITIES, SIDE_EFFECT_CATEGORIES, caseCounting } from '@smp/domain';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../test/support/database.js';
import { Inbox, LIVE_SCHEMA, type ReceivedEvent } from './inbox.js';
import { lacksCaseCounting, recountCases } from './report-counts.js';
import { SideEffectsProjection } from './side-effects.projection.js';
import { SideEffectsStore } from './side-effects.store.js';

/**
 * Side effects from an intake older than report counts, live in a rolling upgrade or replayed by a rebuild: the same case
 * histories projected once from the intake's events as they are now (each side effect saying whether it counts its
 * case), and once with some versions written by the older intake (their side effects without that), which the
 * projection counts from the stored states (recountCases). The read models must end up the same, row for row.
 */
describe(`the side-effect projection with ${recountCases.name}, against the real Postgres`, () => {
  const SCHEMAS = { current: 'recount_current', legacy: 'recount_legacy' } as const;
  const TABLES = ['side_effect_state', 'side_effect_counts', 'report_term_month'];
  const projection = new SideEffectsProjection(new SideEffectsStore());
  let db: DataSource;

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    const tables: Array<{ table_name: string }> = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
      [LIVE_SCHEMA],
    );
    for (const schema of Object.values(SCHEMAS)) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.query(`CREATE SCHEMA ${schema}`);
      for (const { table_name: table } of tables)
        await db.query(`CREATE TABLE ${schema}.${table} (LIKE ${LIVE_SCHEMA}.${table} INCLUDING ALL)`);
    }
  });
  afterAll(async () => {
    for (const schema of Object.values(SCHEMAS)) await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db?.destroy();
  });

  const effect = fc.record({ category: fc.constantFrom(...SIDE_EFFECT_CATEGORIES), severity: fc.constantFrom(...SEVERITIES) });
  const version = fc.record({
    effects: fc.uniqueArray(effect, { minLength: 1, maxLength: 4, selector: (e) => e.category }),
    serious: fc.boolean(),
    outcome: fc.constantFrom(undefined, 'recovered', 'not_recovered'),
    /** Written by the older intake: its side effects do not say whether they count the case. */
    older: fc.boolean(),
  });
  const history = fc.record({
    clinicId: fc.constantFrom('K1', 'K2'),
    pigmentId: fc.constantFrom(undefined, 'P1', 'P2'),
    procedureDate: fc.constantFrom('2025-11-03', '2026-02-14'),
    versions: fc.array(version, { minLength: 1, maxLength: 3 }),
    nullified: fc.boolean(),
  });
  type History = typeof history extends fc.Arbitrary<infer T> ? T : never;

  /**
   * A case's events as the intake writes them: each version's side effects recorded, those it dropped retracted; each
   * with the version's `older` (whether the older intake wrote it).
   */
  function eventsOf(caseId: string, h: History): Array<ReceivedEvent & { older: boolean }> {
    const events: Array<ReceivedEvent & { older: boolean }> = [];
    let previous: History['versions'][number]['effects'] = [];
    const emit = (caseVersion: number, v: (typeof h.versions)[number], e: { category: string; severity: string }, type: string) => {
      const data: SideEffectRecordedV1 = {
        caseId,
        caseVersion,
        clinicId: h.clinicId,
        ...(h.pigmentId ? { pigmentId: h.pigmentId } : {}),
        category: e.category as SideEffectRecordedV1['category'],
        severity: e.severity as SideEffectRecordedV1['severity'],
        serious: v.serious,
        procedureDate: h.procedureDate,
        onsetDate: h.procedureDate,
        ...(v.outcome ? { outcome: v.outcome as SideEffectRecordedV1['outcome'] } : {}),
        ...(type === SIDE_EFFECT_RECORDED_V1 ? caseCounting(v.effects)(e) : COUNTS_NOTHING),
      };
      events.push({ id: randomUUID(), type, data, older: v.older });
    };
    h.versions.forEach((v, i) => {
      const present = new Set(v.effects.map((e) => e.category));
      for (const e of v.effects) emit(i + 1, v, e, SIDE_EFFECT_RECORDED_V1);
      for (const e of previous) if (!present.has(e.category)) emit(i + 1, v, e, SIDE_EFFECT_RETRACTED_V1);
      previous = v.effects;
    });
    if (h.nullified) for (const e of previous) emit(h.versions.length + 1, h.versions.at(-1)!, e, SIDE_EFFECT_RETRACTED_V1);
    return events;
  }

  const asWritten = ({ id, type, data, older }: ReceivedEvent & { older: boolean }): ReceivedEvent => {
    if (!older) return { id, type, data };
    const { countsCase: _case, countsCaseForSeverity: _severity, ...before } = data as SideEffectRecordedV1;
    return { id, type, data: before };
  };

  const contents = async (schema: string) => ({
    // Every column but counting_open, which says which intake wrote the state.
    states: await db.query(
      `SELECT case_id, category, case_version, clinic_id, pigment_id, procedure_month, severity, outcome, serious, counted, counts_case,
              counts_case_for_severity
         FROM ${schema}.side_effect_state ORDER BY case_id, category`,
    ),
    cube: await db.query(
      `SELECT * FROM ${schema}.side_effect_counts ORDER BY clinic_id, pigment_id, category, procedure_month, severity, outcome`,
    ),
    terms: await db.query(
      `SELECT * FROM ${schema}.report_term_month WHERE reports <> 0 OR serious <> 0 ORDER BY subject, term, procedure_month`,
    ),
  });

  it('leaves the read models of side effects without case counting as those of the same side effects with it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(history, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 12 }), async (histories, batch) => {
        for (const schema of Object.values(SCHEMAS)) await db.query(`TRUNCATE ${TABLES.map((table) => `${schema}.${table}`).join(', ')}`);
        const events = histories.flatMap((h, i) => eventsOf(`SMP-2026-${String(i).padStart(6, '0')}`, h));
        const current = events.map(({ id, type, data }) => ({ id, type, data }));
        const legacy = events.map(asWritten);
        expect(legacy.filter((event) => lacksCaseCounting(event.type, event.data))).toHaveLength(
          events.filter((event) => event.older && event.type === SIDE_EFFECT_RECORDED_V1).length,
        );
        expect(current.some((event) => lacksCaseCounting(event.type, event.data))).toBe(false);
        for (let at = 0; at < events.length; at += batch) {
          await new Inbox(db, SCHEMAS.current).apply(projection, current.slice(at, at + batch));
          await new Inbox(db, SCHEMAS.legacy).apply(projection, legacy.slice(at, at + batch));
        }
        expect(await contents(SCHEMAS.legacy)).toEqual(await contents(SCHEMAS.current));
      }),
      { numRuns: 60 },
    );
  }, 180_000);

  it('recounts a case from its stored states, and changes nothing when they are counted already', async () => {
    const caseId = 'SMP-2026-900001';
    const [infection, scarring] = eventsOf(caseId, {
      clinicId: 'K1',
      pigmentId: 'P1',
      procedureDate: '2026-02-14',
      versions: [
        {
          effects: [
            { category: 'infection', severity: 'mild' },
            { category: 'scarring', severity: 'mild' },
          ],
          serious: true,
          outcome: 'recovered',
          older: true,
        },
      ],
      nullified: false,
    }).map(asWritten);
    await db.query(`TRUNCATE ${TABLES.map((table) => `${SCHEMAS.legacy}.${table}`).join(', ')}`);
    // Scarring alone first: it counts the case, until infection (first in code order) comes and takes that over.
    await new Inbox(db, SCHEMAS.legacy).apply(projection, [scarring]);
    const terms = async () =>
      db.query(`SELECT subject, term, reports, serious FROM ${SCHEMAS.legacy}.report_term_month WHERE reports <> 0 ORDER BY 1, 2`);
    const flags = async () =>
      db.query(`SELECT category, counts_case, counts_case_for_severity FROM ${SCHEMAS.legacy}.side_effect_state ORDER BY 1`);
    expect(await flags()).toEqual([{ category: 'scarring', counts_case: true, counts_case_for_severity: true }]);
    await new Inbox(db, SCHEMAS.legacy).apply(projection, [infection]);
    expect(await flags()).toEqual([
      { category: 'infection', counts_case: true, counts_case_for_severity: true },
      { category: 'scarring', counts_case: false, counts_case_for_severity: false },
    ]);
    const counted = [
      { subject: 'clinic', term: 'K1', reports: 1, serious: 1 },
      { subject: 'month', term: '', reports: 1, serious: 1 },
      { subject: 'outcome', term: 'recovered', reports: 1, serious: 1 },
      { subject: 'pigment', term: 'P1', reports: 1, serious: 1 },
      { subject: 'severity', term: 'mild', reports: 1, serious: 1 },
    ];
    expect(await terms()).toEqual(counted);
    const months = await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('search_path', $1, true)`, [SCHEMAS.legacy]);
      return recountCases(tx, [caseId]);
    });
    expect(months).toEqual([]);
    expect(await terms()).toEqual(counted);
  });
});
