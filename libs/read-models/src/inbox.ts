import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TopicProjection } from './topic-projection.js';

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
   */
  async applyGroup(batches: readonly ProjectionBatch[]): Promise<number[]> {
    const ids = batches.flatMap((batch) => batch.events.map((event) => event.id));
    if (ids.length === 0) return batches.map(() => 0);
    return this.db.transaction(async (tx) => {
      await this.begin(tx, batches);
      // No RETURNING (it costs ~3 µs an event): when every id went in, all are new, the usual case. The ids go as one
      // JSON parameter (perf: JSON.stringify is native; pg's array literals escape element by element in JavaScript).
      const idsJson = JSON.stringify(ids);
      const { affected } = await tx.queryRunner!.query(
        `INSERT INTO applied_events (event_id) SELECT value::uuid FROM json_array_elements_text($1::json) ON CONFLICT (event_id) DO NOTHING`,
        [idsJson],
        true,
      );
      // null: every event is new.
      const fresh = affected === ids.length ? null : await this.insertedHere(tx, idsJson);
      const changes = new Map<TopicProjection, object[]>();
      let position = 0;
      const applied = batches.map(({ projection, events }) => {
        const own = changes.get(projection) ?? [];
        changes.set(projection, own);
        let count = 0;
        for (const event of events) {
          const isNew = fresh === null || fresh.has(position);
          position++;
          if (!isNew) continue;
          own.push(projection.toChange(event.type, event.data));
          count++;
        }
        return count;
      });
      // Topic by topic in one fixed order, so that two groups (or two projectors) lock the tables alike.
      const topics = [...changes].sort(([a], [b]) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
      for (const [projection, own] of topics) await projection.apply(tx, own);
      return applied;
    });
  }

  /**
   * Takes the transaction's locks and points it at the read-model schema, in one statement (one round trip).
   *
   * The live read models may be swapped by a rebuild; never in the middle of a batch: every batch holds the
   * read-model lock shared.
   *
   * A partition's events are about the same cases (Kafka keys by case), and a transaction reads the state
   * a case's earlier events left before it writes: two transactions with batches of one partition at once
   * (two groups of one projector, or an old and a new owner during a rebalance) would each miss the other's
   * new rows and count a case twice. So each transaction first takes a lock per (topic, partition) it holds,
   * in sorted order (no deadlock), and keeps it until it commits.
   */
  private async begin(tx: EntityManager, batches: readonly ProjectionBatch[]): Promise<void> {
    const keys = new Map<string, [string, number]>();
    for (const { projection, partition } of batches) {
      if (partition !== undefined) keys.set(`${projection.topic}\u0000${partition}`, [projection.topic, partition]);
    }
    const held = [...keys.values()];
    await tx.query(
      `SELECT CASE WHEN $1 THEN pg_advisory_xact_lock_shared($2) END,
              (SELECT count(pg_advisory_xact_lock(hashtext(k.topic), k.partition))
                 FROM (SELECT * FROM unnest($3::text[], $4::int[]) AS u(topic, partition) ORDER BY 1, 2) AS k),
              set_config('search_path', $5, true)`,
      [this.schema === LIVE_SCHEMA, READ_MODEL_LOCK, held.map(([topic]) => topic), held.map(([, partition]) => partition), this.schema],
    );
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
