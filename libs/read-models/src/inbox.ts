import { Inject, Injectable, Optional } from '@nestjs/common';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { notifyReadModelsChangedSql } from './read-models-changed.js';
import type { ChangedMonths, TopicProjection } from './topic-projection.js';

export interface ReceivedEvent {
  id: string;
  type: string;
  data: object;
}

/** Events of one topic, in log order, and the projection they go through. */
export interface ProjectionBatch {
  projection: TopicProjection;
  events: readonly ReceivedEvent[];
  /**
   * The Kafka partition the events come from. Transactions holding batches of the same partition run one
   * after the other (see applyGroup); without it the batch takes no such turn.
   */
  partition?: number;
}

/** The schema the read models live in; a rebuild writes a fresh copy in another one. */
export const READ_MODEL_SCHEMA = Symbol('READ_MODEL_SCHEMA');
export const LIVE_SCHEMA = 'projector';

/** Held shared by every batch and exclusively by a rebuild while it swaps the schemas. */
export const READ_MODEL_LOCK = 736_251_001;

/**
 * Applies events to the read models exactly once: the ids go into the inbox
 * (`applied_events`) in the same transaction as the read-model change, and an
 * id already there is skipped, so a redelivered batch changes nothing.
 */
@Injectable()
export class Inbox {
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    @Optional() @Inject(READ_MODEL_SCHEMA) schema?: string,
  ) {
    this.schema = schema ?? LIVE_SCHEMA;
    if (!/^[a-z_]+$/.test(this.schema)) throw new Error(`invalid read-model schema ${this.schema}`);
  }

  /** Returns how many of the events were new. */
  async apply(projection: TopicProjection, events: readonly ReceivedEvent[]): Promise<number> {
    const [applied] = await this.applyGroup([{ projection, events }]);
    return applied;
  }

  /**
   * Applies several batches (of any topics) in one transaction; returns how many events of each were new.
   * Each row of the read models changes once per group, however many batches change it, and the group
   * pays one commit. Events are applied in the order given, batch after batch.
   *
   * perf: three round trips a group, each one waiting behind whatever holds the event loop (the next fetch being
   * decoded): BEGIN, the locks, and the event ids into the inbox with what the projections must read before they write
   * (`prefetch`), sent together in pg's pipeline mode (statements sent without waiting for the one before to be
   * answered; answered in order); each projection's write; the notifications with the commit. (Sending the writes and
   * the commit together as well was tried: no gain measured, see README.)
   */
  async applyGroup(batches: readonly ProjectionBatch[]): Promise<number[]> {
    const ids = batches.flatMap((batch) => batch.events.map((event) => event.id));
    if (ids.length === 0) return batches.map(() => 0);
    // Every change of the group, per projection, topic by topic in one fixed order (so that two groups, or two
    // projectors, lock the tables alike), each with its event's position in the group.
    const byProjection = new Map<TopicProjection, { changes: object[]; positions: number[] }>();
    let position = 0;
    for (const { projection, events } of batches) {
      const own = byProjection.get(projection) ?? { changes: [], positions: [] };
      byProjection.set(projection, own);
      for (const event of events) {
        own.changes.push(projection.toChange(event.type, event.data));
        own.positions.push(position++);
      }
    }
    const projections = [...byProjection].sort(([a], [b]) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));

    const runner = this.db.createQueryRunner();
    const client = (await runner.connect()) as pg.Client & { pipeline: boolean };
    try {
      const locks = this.locks(batches);
      const idsJson = JSON.stringify(ids);
      const inbox = this.inboxStatement(idsJson, projections);
      // Pipelined while this transaction holds the connection (see above), every statement built first. BEGIN is a
      // statement of its own, which nothing can fail to parse: the inbox statement cannot run outside the transaction.
      client.pipeline = true;
      const begun = client.query('BEGIN');
      const locked = client.query(locks);
      const recorded = client.query(inbox.sql, inbox.params);
      await Promise.allSettled([begun, locked, recorded]);
      await begun;
      await locked;
      const { inserted, prefetched } = inbox.read((await recorded).rows[0]);
      // null: every event is new, the usual case.
      const fresh = inserted === ids.length ? null : await this.insertedHere(runner.manager, idsJson);
      const changed: ChangedMonths[] = [];
      for (const [index, [projection, { changes, positions }]] of projections.entries()) {
        const own = fresh === null ? changes : changes.filter((_, i) => fresh.has(positions[i]));
        if (own.length > 0) changed.push(await projection.apply(runner.manager, own, prefetched[index]));
      }
      // Readers of the live read models hear, when the transaction commits, which months each projection moved.
      await runner.query(`${this.schema === LIVE_SCHEMA ? notifyReadModelsChangedSql(changed) : ''}COMMIT`);
      let at = 0;
      return batches.map(({ events }) => {
        let count = 0;
        for (const end = at + events.length; at < end; at++) if (fresh === null || fresh.has(at)) count++;
        return count;
      });
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.pipeline = false;
      await runner.release();
    }
  }

  /**
   * The statement that records the group's event ids in the inbox and runs the projections' prefetches (they read other
   * tables: the insert cannot change what they see), and what its row says: how many ids were new, and what each
   * prefetch read.
   */
  private inboxStatement(
    idsJson: string,
    projections: ReadonlyArray<readonly [TopicProjection, { changes: readonly object[] }]>,
  ): { sql: string; params: unknown[]; read: (row: Record<string, unknown>) => { inserted: number; prefetched: unknown[] } } {
    const params: unknown[] = [idsJson];
    const param = (value: unknown) => `$${params.push(value)}`;
    const prefetches = projections.map(([projection, { changes }]) => projection.prefetch?.(changes, param));
    const columns = prefetches.map((prefetch, index) => (prefetch ? `, ${prefetch.sql} AS p${index}` : ''));
    // The ids go as one JSON parameter (perf: JSON.stringify is native; pg's array literals escape element by element
    // in JavaScript).
    return {
      sql: `WITH inserted AS (
         INSERT INTO applied_events (event_id) SELECT value::uuid FROM json_array_elements_text($1::json)
         ON CONFLICT (event_id) DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM inserted)::int AS inserted${columns.join('')}`,
      params,
      read: (row) => ({
        inserted: row.inserted as number,
        prefetched: prefetches.map((prefetch, index) => prefetch?.read(row[`p${index}`])),
      }),
    };
  }

  /**
   * The statement that takes the transaction's locks and points it at the read-model schema, with its values
   * written in: a simple query, nothing to bind (it goes right after BEGIN, in the same write: see applyGroup).
   *
   * The live read models may be swapped by a rebuild; never in the middle of a batch: every batch holds the
   * read-model lock shared.
   *
   * A partition's events are about the same cases (Kafka keys by case), and a transaction reads the state
   * a case's earlier events left before it writes: two transactions with batches of one partition at once
   * (two groups of one projector, or an old and a new owner during a rebalance) would each miss the other's
   * new rows and count a case twice. So each transaction first takes a lock per (topic, partition) it holds,
   * in sorted order (no deadlock), and keeps it until it commits. (This must be a statement before the one
   * that reads the states: a statement sees what was committed when it started, before it got its locks.)
   */
  private locks(batches: readonly ProjectionBatch[]): string {
    const held = new Set<string>();
    for (const { projection, partition } of batches) {
      if (partition === undefined) continue;
      if (!Number.isSafeInteger(partition)) throw new Error(`partition ${partition} is not an integer`);
      held.add(`(${pg.escapeLiteral(projection.topic)}, ${partition})`);
    }
    const shared = this.schema === LIVE_SCHEMA ? `pg_advisory_xact_lock_shared(${READ_MODEL_LOCK}),` : '';
    const turns =
      held.size === 0
        ? ''
        : `(SELECT count(pg_advisory_xact_lock(hashtext(k.topic), k.partition))
              FROM (SELECT * FROM (VALUES ${[...held].join(', ')}) AS v(topic, partition) ORDER BY 1, 2) AS k),`;
    return `SELECT ${shared} ${turns} set_config('search_path', ${pg.escapeLiteral(this.schema)}, true)`;
  }

  /**
   * The positions in `idsJson` (the group's event ids, a JSON array) of the events this transaction inserted: not
   * those of a redelivery, nor an id's second time in the group. (Positions, not ids: Postgres spells a uuid its own
   * way, whatever way the event did.)
   */
  private async insertedHere(tx: EntityManager, idsJson: string): Promise<Set<number>> {
    const rows: Array<{ i: string }> = await tx.query(
      `SELECT min(e.i) AS i FROM json_array_elements_text($1::json) WITH ORDINALITY AS e(id, i)
         JOIN applied_events a ON a.event_id = e.id::uuid AND a.xmin = pg_current_xact_id()::xid
        GROUP BY a.event_id`,
      [idsJson],
    );
    return new Set(rows.map((row) => Number(row.i) - 1));
  }
}
