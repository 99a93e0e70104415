import pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { ChangedMonths } from './topic-projection.js';

/**
 * Notified (on commit) whenever the read models change, so that readers can drop what they cached. The payload names
 * the procedure months whose figures changed (see changedMonthsOf); an empty one means anything may have changed.
 */
export const READ_MODELS_CHANGED = 'smp_read_models_changed';

const MONTHS_PREFIX = 'months=';
/** Postgres refuses payloads of 8,000 bytes or more; a batch naming more months than fit says "everything". */
const MAX_PAYLOAD = 7_900;

function payloadOf(months: ChangedMonths): string {
  const payload = months === 'all' ? '' : `${MONTHS_PREFIX}${[...months].sort().join(',')}`;
  return payload.length <= MAX_PAYLOAD ? payload : '';
}

/** Postgres delivers a NOTIFY when its transaction commits (identical ones once per transaction). */
export async function notifyReadModelsChanged(tx: EntityManager, months: ChangedMonths = 'all'): Promise<void> {
  await tx.query(`SELECT pg_notify($1, $2)`, [READ_MODELS_CHANGED, payloadOf(months)]);
}

/**
 * The same as a statement to send in a simple query with others (values written in, ending with ';'), one notification
 * per change; '' for none.
 */
export function notifyReadModelsChangedSql(changes: readonly ChangedMonths[]): string {
  if (changes.length === 0) return '';
  const channel = pg.escapeLiteral(READ_MODELS_CHANGED);
  return `SELECT ${changes.map((months) => `pg_notify(${channel}, ${pg.escapeLiteral(payloadOf(months))})`).join(', ')};`;
}

/** What a READ_MODELS_CHANGED payload says changed: some procedure months ('YYYY-MM'), none of them, or all. */
export function changedMonthsOf(payload: string): ChangedMonths {
  if (!payload.startsWith(MONTHS_PREFIX)) return 'all';
  const list = payload.slice(MONTHS_PREFIX.length);
  return list === '' ? [] : list.split(',');
}
