import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OutgoingEvent } from '@smp/messaging';

export interface OutboxRow extends OutgoingEvent {
  rowId: string;
  topic: string;
}

const RELAY_LOCK = 'intake.outbox-relay';

/** An event to publish once the transaction that writes it commits. */
export interface NewOutboxEvent {
  id: string;
  topic: string;
  /** Kafka message key: the case, clinic or pigment id the event is about. */
  key: string;
  type: string;
  /** CloudEvents subject. */
  subject: string;
  data: object;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly db: DataSource) {}

  /** Writes events in the caller's transaction, beside the change they describe (one multi-row insert). */
  async append(tx: EntityManager, events: readonly NewOutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO intake.outbox (event_id, topic, message_key, event_type, subject, occurred_at, data)
       SELECT id, topic, key, type, subject, now(), data
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS e(id, topic, key, type, subject, data)`,
      [
        events.map((event) => event.id),
        events.map((event) => event.topic),
        events.map((event) => event.key),
        events.map((event) => event.type),
        events.map((event) => event.subject),
        events.map((event) => JSON.stringify(event.data)),
      ],
    );
  }

  /**
   * Runs `publish` on the oldest outbox rows and deletes them only if it
   * succeeds, all in one transaction. One relay at a time holds the lock, so
   * events leave in the order they were written. Returns how many were sent.
   */
  async drain(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
    return this.db.transaction(async (tx) => {
      const [{ locked }] = await tx.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [RELAY_LOCK]);
      if (!locked) return 0;
      const rows = await this.oldest(tx, limit);
      if (rows.length === 0) return 0;
      await publish(rows);
      await tx.query(`DELETE FROM intake.outbox WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.rowId)]);
      return rows.length;
    });
  }

  /** What waits to be published: how many events, and how long the oldest has waited (0 when none). */
  async backlog(): Promise<{ events: number; oldestSeconds: number }> {
    const [row]: Array<{ events: number; oldest_seconds: number | null }> = await this.db.query(
      `SELECT count(*)::int AS events,
              extract(epoch FROM now() - (SELECT occurred_at FROM intake.outbox ORDER BY id LIMIT 1))::float8 AS oldest_seconds
         FROM intake.outbox`,
    );
    return { events: row!.events, oldestSeconds: Math.max(0, row!.oldest_seconds ?? 0) };
  }

  private async oldest(tx: EntityManager, limit: number): Promise<OutboxRow[]> {
    const rows: Array<{
      id: string;
      event_id: string;
      topic: string;
      message_key: string;
      event_type: string;
      subject: string;
      occurred_at: Date;
      data: object;
    }> = await tx.query(
      `SELECT id, event_id, topic, message_key, event_type, subject, occurred_at, data
         FROM intake.outbox ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      rowId: row.id,
      id: row.event_id,
      topic: row.topic,
      key: row.message_key,
      type: row.event_type,
      subject: row.subject,
      time: row.occurred_at,
      data: row.data,
    }));
  }
}
