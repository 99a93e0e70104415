import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TopicProjection } from './topic-projection.js';

export interface ReceivedEvent {
  id: string;
  type: string;
  data: object;
}

/**
 * Applies events to the read models exactly once: the ids go into the inbox
 * (`applied_events`) in the same transaction as the read-model change, and an
 * id already there is skipped, so a redelivered batch changes nothing.
 */
@Injectable()
export class Inbox {
  constructor(private readonly db: DataSource) {}

  /** Returns how many of the events were new. */
  async apply(projection: TopicProjection, events: readonly ReceivedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      const inserted: Array<{ event_id: string }> = await tx.query(
        `INSERT INTO projector.applied_events (event_id) SELECT unnest($1::uuid[])
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [events.map((event) => event.id)],
      );
      const fresh = new Set(inserted.map((row) => row.event_id));
      const changes = events.filter((event) => fresh.delete(event.id)).map((event) => projection.toChange(event.type, event.data));
      await projection.apply(tx, changes);
      return changes.length;
    });
  }
}
