import type { DataSource } from 'typeorm';
import { answerValue } from '@smp/http';
import { PROJECTOR_SCHEMA } from '@smp/persistence';
import { READ_MODELS_CHANGED } from '@smp/read-models';
import { listeningCache } from '../../../../test/support/read-model-cache.js';
import { migratedDataSource } from '../../../../test/support/database.js';
import { eventually } from '../../../../test/support/environment.js';
import { ReadModelCache } from './read-model-cache.js';

/**
 * Answers are kept until any change to the read models; a year held in memory only until a change names that year
 * (or says anything may have changed). The notifications are real ones, through Postgres.
 */
describe(`${ReadModelCache.name} against real notifications`, () => {
  let db: DataSource;
  let cache: ReadModelCache;
  const computed = new Map<string, number>();
  const count = (key: string) => async () => {
    computed.set(key, (computed.get(key) ?? 0) + 1);
    return { key };
  };
  const answer = () => cache.get('answer', count('answer'));
  const year = (n: number) => cache.held(`year-${n}`, n, count(`year-${n}`), () => 100);
  const times = (key: string) => computed.get(key) ?? 0;

  beforeAll(async () => {
    db = await migratedDataSource(PROJECTOR_SCHEMA);
    cache = await listeningCache(db);
  });
  afterAll(async () => {
    await cache?.onApplicationShutdown();
    await db?.destroy();
  });

  /** Sends `payload` and waits until the cache has heard it (the answer is computed afresh). */
  const notify = async (payload: string) => {
    const before = times('answer');
    await db.query('SELECT pg_notify($1, $2)', [READ_MODELS_CHANGED, payload]);
    await eventually(async () => (await answer(), times('answer') > before ? true : undefined), 5_000, `the cache to hear "${payload}"`);
  };

  it('keeps answers and parts within budgets of their own: a large part does not push out a kept answer or a small part', async () => {
    const small = await listeningCache(db, { INSIGHTS_CACHE_BYTES: 10_000, INSIGHTS_PART_BYTES: 10_000 });
    try {
      const kept = await small.get('small-answer', count('small-answer'));
      await small.smallPart('small-part', count('small-part'), () => 400);
      await small.part('large-1', count('large-1'), () => 9_000);
      await small.part('large-2', count('large-2'), () => 9_000);
      // The answer again, as kept (its gzipped JSON); the first large part pushed out by the second.
      expect(answerValue(await small.get('small-answer', count('small-answer')))).toEqual(kept);
      await small.smallPart('small-part', count('small-part'), () => 400);
      await small.part('large-1', count('large-1'), () => 9_000);
      expect([times('small-answer'), times('small-part'), times('large-1'), times('large-2')]).toEqual([1, 1, 2, 1]);
    } finally {
      await small.onApplicationShutdown();
    }
  });

  it('evicts what was read least recently: an entry read since it was stored outlasts one that was not', async () => {
    const small = await listeningCache(db, { INSIGHTS_CACHE_BYTES: 2_500 });
    try {
      const keep = (key: string) => small.smallPart(key, count(key), () => 1_000);
      await keep('clock-a');
      await keep('clock-b');
      await keep('clock-a'); // read again: the older of the two, but read since it was stored
      await keep('clock-c'); // over the budget: clock-b goes
      await keep('clock-a');
      expect([times('clock-a'), times('clock-b'), times('clock-c')]).toEqual([1, 1, 1]);
      await keep('clock-b');
      expect([times('clock-a'), times('clock-b'), times('clock-c')]).toEqual([1, 2, 1]);
    } finally {
      await small.onApplicationShutdown();
    }
  });

  it('keeps a year until a change names it, and everything until a change names nothing in particular', async () => {
    await Promise.all([answer(), year(2024), year(2026)]);
    await Promise.all([answer(), year(2024), year(2026)]);
    expect([times('answer'), times('year-2024'), times('year-2026')]).toEqual([1, 1, 1]);

    await notify('months=2026-03,2026-04');
    await Promise.all([year(2024), year(2026)]);
    expect([times('year-2024'), times('year-2026')]).toEqual([1, 2]);

    // The case list changed: every answer, but no year.
    await notify('months=');
    await Promise.all([year(2024), year(2026)]);
    expect([times('year-2024'), times('year-2026')]).toEqual([1, 2]);

    // A registry change, a rebuild, a lost connection: everything.
    await notify('');
    await Promise.all([year(2024), year(2026)]);
    expect([times('year-2024'), times('year-2026')]).toEqual([2, 3]);
  });
});
