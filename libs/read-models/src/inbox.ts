import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TopicProjection } from './topic-projection.js';

export interface ReceivedEvent {
  id: string;
  type: string;
  data: object;
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
    if (events.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      // The live read models may be swapped by a rebuild; never in the middle of a batch.
      if (this.schema === LIVE_SCHEMA) await tx.query(`SELECT pg_advisory_xact_lock_shared($1)`, [READ_MODEL_LOCK]);
      await tx.query(`SET LOCAL search_path TO ${this.schema}`);
      const ids = events.map((event) => event.id);
      // No RETURNING (it costs ~3 µs an event): when every id went in, all are new, the usual case.
      const { affected } = await tx.queryRunner!.query(
        `INSERT INTO applied_events (event_id) SELECT unnest($1::uuid[]) ON CONFLICT (event_id) DO NOTHING`,
        [ids],
        true,
      );
      const fresh = new Set(affected === events.length ? ids : await this.insertedHere(tx, ids));
      const changes = events.filter((event) => fresh.delete(event.id)).map((event) => projection.toChange(event.type, event.data));
      await projection.apply(tx, changes);
      return changes.length;
    });
  }

  /** The ids of the batch that this transaction inserted (a redelivery, or an id twice in the batch). */
  private async insertedHere(tx: EntityManager, ids: readonly string[]): Promise<string[]> {
    const rows: Array<{ event_id: string }> = await tx.query(
      `SELECT event_id FROM applied_events WHERE event_id = ANY($1::uuid[]) AND xmin = pg_current_xact_id()::xid`,
      [ids],
    );
    return rows.map((row) => row.event_id);
  }
}
