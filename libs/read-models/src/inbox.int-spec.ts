import pg from 'pg';
import type { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import {
  CLINIC_REGISTERED_V1,
  PROCEDURES_RECORDED_V1,
  REPORT_SUBMITTED_V1,
  SIDE_EFFECT_RECORDED_V1,
  SIDE_EFFECT_RETRACTED_V1,
  TOPICS,
  type SideEffectRecordedV1,
} from '@smp/contracts';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { migratedDataSource } from '../../../test/support/database.js';
import { eventually, unique } from '../../../test/support/environment.js';
import { ProceduresProjection } from './procedures.projection.js';
import { ProceduresStore } from './procedures.store.js';
import { SideEffectsProjection } from './side-effects.projection.js';
import { SideEffectsStore } from './side-effects.store.js';
import { Inbox, type ReceivedEvent } from './inbox.js';
import { createProjections } from './projections.js';
import { READ_MODELS_CHANGED, changedMonthsOf } from './read-models-changed.js';
import type { SideEffectChange } from './side-effect-projection.js';
import type { TopicProjection } from './topic-projection.js';

describe(`${Inbox.name} and the projections against the real Postgres`, () => {
  let db: DataSource;
  let sut: Inbox;
  const sideEffects = new SideEffectsProjection(new SideEffectsStore());
  const procedures = new ProceduresProjection(new ProceduresStore());

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    sut = new Inbox(db);
  });
  afterAll(() => db?.destroy());

  const counts = (table: 'clinic' | 'pigment', subject: string) =>
    db.query(
      `SELECT category, to_char(procedure_month, 'YYYY-MM') AS month, sum(reports)::int AS reports, sum(serious)::int AS serious
         FROM projector.side_effect_counts WHERE ${table}_id = $1
        GROUP BY category, procedure_month HAVING sum(reports) <> 0 ORDER BY category, month`,
      [subject],
    );

  const event = (data: Partial<SideEffectRecordedV1> & { clinicId: string; caseId: string }, type = SIDE_EFFECT_RECORDED_V1) => ({
    id: randomUUID(),
    type,
    data: {
      caseVersion: 1,
      category: 'allergic_reaction',
      severity: 'mild',
      serious: false,
      procedureDate: '2026-01-20',
      onsetDate: '2026-01-21',
      ...data,
    },
  });

  it('applies each event id once, however often the batch is delivered', async () => {
    const clinicId = unique('clinic');
    const pigmentId = unique('pigment');
    const batch = [
      event({ clinicId, pigmentId, caseId: 'SMP-2026-900001' }),
      event({ clinicId, pigmentId, caseId: 'SMP-2026-900002', serious: true }),
    ];
    expect(await sut.apply(sideEffects, batch)).toBe(2);
    expect(await sut.apply(sideEffects, batch)).toBe(0);
    expect(await sut.apply(sideEffects, [batch[1], batch[1]])).toBe(0);
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 2, serious: 1 }]);
    expect(await counts('pigment', pigmentId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 2, serious: 1 }]);
  });

  it('counts a new event beside a redelivered one whatever the case of the letters of its id', async () => {
    const clinicId = unique('clinic');
    const applied = event({ clinicId, caseId: 'SMP-2026-900021' });
    await sut.apply(sideEffects, [applied]);
    // Postgres writes every uuid in lower case: the new event must still be told apart from the redelivered one.
    const shouting = { ...event({ clinicId, caseId: 'SMP-2026-900022', serious: true }), id: randomUUID().toUpperCase() };

    expect(await sut.apply(sideEffects, [applied, shouting])).toBe(1);
    expect(await sut.apply(sideEffects, [shouting, { ...shouting, id: shouting.id.toLowerCase() }])).toBe(0);
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 2, serious: 1 }]);
  });

  it('counts the latest version only: amendments move counts, retractions remove them, stale versions change nothing', async () => {
    const clinicId = unique('clinic');
    const caseId = 'SMP-2026-900003';
    await sut.apply(sideEffects, [event({ clinicId, caseId })]);
    await sut.apply(sideEffects, [
      event({ clinicId, caseId, caseVersion: 2, procedureDate: '2026-02-03', onsetDate: '2026-02-04', serious: true }),
    ]);
    await sut.apply(sideEffects, [event({ clinicId, caseId, caseVersion: 1 })]);
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-02', reports: 1, serious: 1 }]);
    await sut.apply(sideEffects, [event({ clinicId, caseId, caseVersion: 3 }, SIDE_EFFECT_RETRACTED_V1)]);
    expect(await counts('clinic', clinicId)).toEqual([]);
  });

  it('leaves nothing behind when the batch fails: inbox and counts roll back together', async () => {
    const clinicId = unique('clinic');
    const good = event({ clinicId, caseId: 'SMP-2026-900004' });
    const bad = event({ clinicId, caseId: 'SMP-2026-900005', procedureDate: '2026-99-99' });
    await expect(sut.apply(sideEffects, [good, bad])).rejects.toThrow();
    expect(await counts('clinic', clinicId)).toEqual([]);
    expect(await sut.apply(sideEffects, [good])).toBe(1);
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 1, serious: 0 }]);
  });

  it('adds procedures to the per clinic × pigment × month denominators once', async () => {
    const clinicId = unique('clinic');
    const recorded = (procedureDate: string, count: number) => ({
      id: randomUUID(),
      type: PROCEDURES_RECORDED_V1,
      data: { procedureRef: unique('PR'), clinicId, pigmentId: 'PIG-00001', procedureDate, count },
    });
    const batch = [recorded('2026-03-01', 4), recorded('2026-03-31', 6), recorded('2026-04-01', 1)];
    expect(await sut.apply(procedures, batch)).toBe(3);
    expect(await sut.apply(procedures, batch)).toBe(0);
    const rows = await db.query(
      `SELECT to_char(procedure_month, 'YYYY-MM') AS month, procedures FROM projector.procedures_month WHERE clinic_id = $1 ORDER BY month`,
      [clinicId],
    );
    expect(rows).toEqual([
      { month: '2026-03', procedures: 10 },
      { month: '2026-04', procedures: 1 },
    ]);
  });

  it("applies a group of batches of several topics in one transaction, counting each batch's new events", async () => {
    const clinicId = unique('clinic');
    const applied = event({ clinicId, caseId: 'SMP-2026-900006' });
    await sut.apply(sideEffects, [applied]);
    const secondPartition = [event({ clinicId, caseId: 'SMP-2026-900007' }), event({ clinicId, caseId: 'SMP-2026-900008', serious: true })];
    const recorded = {
      id: randomUUID(),
      type: PROCEDURES_RECORDED_V1,
      data: { procedureRef: unique('PR'), clinicId, pigmentId: 'PIG-00001', procedureDate: '2026-01-05', count: 7 },
    };
    const redelivered = [applied, event({ clinicId, caseId: 'SMP-2026-900006', caseVersion: 2, severity: 'severe' })];

    const appliedPerBatch = await sut.applyGroup([
      { projection: sideEffects, events: redelivered },
      { projection: procedures, events: [recorded, recorded] },
      { projection: sideEffects, events: secondPartition },
    ]);

    expect(appliedPerBatch).toEqual([1, 1, 2]);
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 3, serious: 1 }]);
    const [severities] = await db.query(
      `SELECT string_agg(severity || ':' || reports, ',' ORDER BY severity) AS cells FROM projector.side_effect_counts WHERE clinic_id = $1 AND reports <> 0`,
      [clinicId],
    );
    expect(severities.cells).toBe('mild:2,severe:1');
    const [{ procedures: denominator }] = await db.query(`SELECT procedures FROM projector.procedures_month WHERE clinic_id = $1`, [
      clinicId,
    ]);
    expect(denominator).toBe(7);
    expect(await sut.applyGroup([{ projection: sideEffects, events: secondPartition }])).toEqual([0]);
  });

  it('rolls the whole group back when one of its batches fails', async () => {
    const clinicId = unique('clinic');
    const good = event({ clinicId, caseId: 'SMP-2026-900009' });
    const bad = event({ clinicId, caseId: 'SMP-2026-900010', procedureDate: '2026-99-99' });
    await expect(
      sut.applyGroup([
        { projection: sideEffects, events: [good] },
        { projection: sideEffects, events: [bad] },
      ]),
    ).rejects.toThrow();
    expect(await counts('clinic', clinicId)).toEqual([]);
    expect(await sut.applyGroup([{ projection: sideEffects, events: [good] }])).toEqual([1]);
  });

  it('rolls back what another topic wrote before a write that fails, and its pipelined connection serves on', async () => {
    const clinicId = unique('clinic');
    const recorded = {
      id: randomUUID(),
      type: PROCEDURES_RECORDED_V1,
      data: { procedureRef: unique('PR'), clinicId, pigmentId: 'PIG-00001', procedureDate: '2026-02-05', count: 3 },
    };
    const bad = event({ clinicId, caseId: 'SMP-2026-900019', procedureDate: '2026-99-99' });
    const procedureMonths = () =>
      db.query(`SELECT procedures FROM projector.procedures_month WHERE clinic_id = $1`, [clinicId]) as Promise<unknown[]>;

    // The procedures' write runs first (topics in name order); the side effects' write after it fails.
    await expect(
      sut.applyGroup([
        { projection: procedures, events: [recorded] },
        { projection: sideEffects, events: [bad] },
      ]),
    ).rejects.toThrow(/date/);

    expect(await procedureMonths()).toEqual([]);
    expect(await db.query(`SELECT 1 FROM projector.applied_events WHERE event_id = ANY($1::uuid[])`, [[recorded.id, bad.id]])).toEqual([]);
    for (let i = 0; i < 3; i++)
      expect(await sut.applyGroup([{ projection: procedures, events: [{ ...recorded, id: randomUUID() }] }])).toEqual([1]);
    expect(await procedureMonths()).toEqual([{ procedures: 9 }]);
  });

  /**
   * Applies `first` in a transaction held open once its changes are written, then `second` on the same partition while
   * it is; lets the first commit once the second waits for it. Returns what each applied.
   */
  const raceOnOnePartition = async (partition: number, first: ReceivedEvent, second: ReceivedEvent): Promise<number[][]> => {
    let openGate!: () => void;
    let reachedGate = false;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const heldOpen: TopicProjection<SideEffectRecordedV1, SideEffectChange> = {
      topic: sideEffects.topic,
      types: sideEffects.types,
      contract: sideEffects.contract,
      toChange: (type, data) => sideEffects.toChange(type, data),
      apply: async (tx, changes) => {
        const months = await sideEffects.apply(tx, changes);
        reachedGate = true;
        await gate;
        return months;
      },
    };
    const applied = [sut.applyGroup([{ projection: heldOpen, events: [first], partition }])];
    await eventually(async () => (reachedGate ? true : undefined), 10_000, 'the first transaction holding its changes');
    applied.push(sut.applyGroup([{ projection: sideEffects, events: [second], partition }]));
    await eventually(async () => ((await lockWaiters()) > 0 ? true : undefined), 10_000, 'the second transaction waiting on the first');
    openGate();
    return Promise.all(applied);
  };

  it('lets transactions with batches of the same partition take turns, so that a case is never counted twice', async () => {
    const clinicId = unique('clinic');
    const caseId = 'SMP-2026-900011';
    // The first transaction has written version 1 of the case and not yet committed when the second one starts.
    expect(
      await raceOnOnePartition(3, event({ clinicId, caseId }), event({ clinicId, caseId, caseVersion: 2, severity: 'severe' })),
    ).toEqual([[1], [1]]);
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-01', reports: 1, serious: 0 }]);
  });

  it('lets them take turns over a case already counted too, so that an amendment takes back its earlier version once', async () => {
    const clinicId = unique('clinic');
    const caseId = 'SMP-2026-900012';
    expect(await sut.apply(sideEffects, [event({ clinicId, caseId, procedureDate: '2026-01-20' })])).toBe(1);
    // The first transaction has moved the case to version 2 (February) and not yet committed when the second one reads it.
    const moves = await raceOnOnePartition(
      5,
      event({ clinicId, caseId, caseVersion: 2, procedureDate: '2026-02-10' }),
      event({ clinicId, caseId, caseVersion: 3, procedureDate: '2026-03-05' }),
    );
    expect(moves).toEqual([[1], [1]]);
    // Had the second read the case before the first committed, January would be taken back twice and February kept.
    expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2026-03', reports: 1, serious: 0 }]);
  });

  /** Backends of this database waiting on a lock. */
  const lockWaiters = async (): Promise<number> => {
    const [{ waiting }] = await db.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return waiting;
  };

  /** A reader of READ_MODELS_CHANGED: the payloads it hears, in order. */
  const listenForReadModelChanges = async (): Promise<{ listener: pg.Client; heard: string[] }> => {
    const listener = new pg.Client({ connectionString: (db.options as { url: string }).url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => message.channel === READ_MODELS_CHANGED && heard.push(message.payload ?? ''));
    await listener.query(`LISTEN ${READ_MODELS_CHANGED}`);
    return { listener, heard };
  };

  it('tells no reader of what it writes into another schema (a rebuild), only of the live read models', async () => {
    const shadow = 'inbox_test_shadow';
    await db.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
    await db.query(`CREATE SCHEMA ${shadow}`);
    const tables: Array<{ table_name: string }> = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'projector' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name: table } of tables) await db.query(`CREATE TABLE ${shadow}.${table} (LIKE projector.${table} INCLUDING ALL)`);
    const { listener, heard } = await listenForReadModelChanges();
    try {
      const clinicId = unique('clinic');
      const rebuilt = event({ clinicId, caseId: 'SMP-2032-000001', procedureDate: '2032-03-20', onsetDate: '2032-03-21' });
      expect(await new Inbox(db, shadow).apply(sideEffects, [rebuilt])).toBe(1);
      // Notifications arrive in commit order: once the live one is heard, a shadow one would have been too.
      await sut.apply(sideEffects, [event({ clinicId, caseId: 'SMP-2032-000002', procedureDate: '2032-04-20', onsetDate: '2032-04-21' })]);
      await eventually(async () => (heard.length > 0 ? true : undefined), 5_000, 'the live notification');
      expect(heard).toEqual(['months=2032-04']);
      const [{ shadowReports }] = await db.query(
        `SELECT sum(reports)::int AS "shadowReports" FROM ${shadow}.side_effect_counts WHERE clinic_id = $1`,
        [clinicId],
      );
      expect(shadowReports).toBe(1);
      expect(await counts('clinic', clinicId)).toEqual([{ category: 'allergic_reaction', month: '2032-04', reports: 1, serious: 0 }]);
    } finally {
      await listener.end();
      await db.query(`DROP SCHEMA ${shadow} CASCADE`);
    }
  });

  it('tells readers, on commit, which procedure months each transaction moved: an amendment names the month it left too', async () => {
    const { listener, heard } = await listenForReadModelChanges();
    try {
      const [notifyingSideEffects, notifyingProcedures, notifyingCases, notifyingClinics] = [
        TOPICS.sideEffects,
        TOPICS.procedures,
        TOPICS.reports,
        TOPICS.clinics,
      ].map((topic) => createProjections().find((projection) => projection.topic === topic)!);
      const clinicId = unique('clinic');
      const caseId = `SMP-2031-${String(Date.now() % 1_000_000).padStart(6, '0')}`;
      await sut.apply(notifyingSideEffects!, [event({ clinicId, caseId, procedureDate: '2031-01-20', onsetDate: '2031-01-21' })]);
      await sut.apply(notifyingSideEffects!, [
        event({ clinicId, caseId, caseVersion: 2, procedureDate: '2030-12-03', onsetDate: '2030-12-04' }),
      ]);
      await sut.apply(notifyingProcedures!, [
        {
          id: randomUUID(),
          type: PROCEDURES_RECORDED_V1,
          data: { procedureRef: unique('PR'), clinicId, pigmentId: 'PIG-1', procedureDate: '2031-02-02', count: 3 },
        },
      ]);
      const report = {
        caseId,
        caseVersion: 1,
        clinicId,
        procedureDate: '2031-01-20',
        serious: false,
        seriousReasons: [],
        nullified: false,
        effects: [],
      };
      await sut.apply(notifyingCases!, [{ id: randomUUID(), type: REPORT_SUBMITTED_V1, data: report }]);
      await sut.apply(notifyingClinics!, [
        { id: randomUUID(), type: CLINIC_REGISTERED_V1, data: { clinicId, name: 'Listening clinic', country: 'IS' } },
      ]);
      await eventually(async () => (heard.length >= 5 ? true : undefined), 5_000, 'five notifications');
      expect(heard).toEqual(['months=2031-01', 'months=2030-12,2031-01', 'months=2031-02', 'months=', '']);
      expect(heard.map(changedMonthsOf)).toEqual([['2031-01'], ['2030-12', '2031-01'], ['2031-02'], [], 'all']);
    } finally {
      await listener.end();
    }
  });
});
