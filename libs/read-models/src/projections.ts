import type { EntityManager } from 'typeorm';
import { CasesProjection } from './cases.projection.js';
import { ProceduresProjection } from './procedures.projection.js';
import { ProceduresStore } from './procedures.store.js';
import { ClinicsProjection, PigmentsProjection } from './registry.projection.js';
import { SideEffectsProjection } from './side-effects.projection.js';
import { SideEffectsStore } from './side-effects.store.js';
import type { ChangedMonths, TopicProjection } from './topic-projection.js';

/**
 * Notified (on commit) whenever the read models change, so that readers can drop what they cached. The payload names
 * the procedure months whose figures changed (see changedMonthsOf); an empty one means anything may have changed.
 */
export const READ_MODELS_CHANGED = 'smp_read_models_changed';

const MONTHS_PREFIX = 'months=';
/** Postgres refuses payloads of 8,000 bytes or more; a batch naming more months than fit says "everything". */
const MAX_PAYLOAD = 7_900;

/** Postgres delivers a NOTIFY when its transaction commits (identical ones once per transaction). */
export async function notifyReadModelsChanged(tx: EntityManager, months: ChangedMonths = 'all'): Promise<void> {
  const payload = months === 'all' ? '' : `${MONTHS_PREFIX}${[...months].sort().join(',')}`;
  await tx.query(`SELECT pg_notify($1, $2)`, [READ_MODELS_CHANGED, payload.length <= MAX_PAYLOAD ? payload : '']);
}

/** What a READ_MODELS_CHANGED payload says changed: some procedure months ('YYYY-MM'), none of them, or all. */
export function changedMonthsOf(payload: string): ChangedMonths {
  if (!payload.startsWith(MONTHS_PREFIX)) return 'all';
  const list = payload.slice(MONTHS_PREFIX.length);
  return list === '' ? [] : list.split(',');
}

/** A projection that also tells readers, in its own transaction, that something changed. */
class Notifying<Data extends object, Change> implements TopicProjection<Data, Change> {
  readonly topic: string;
  readonly types: readonly string[];
  readonly contract: new () => Data;

  constructor(private readonly inner: TopicProjection<Data, Change>) {
    this.topic = inner.topic;
    this.types = inner.types;
    this.contract = inner.contract;
  }

  toChange(type: string, data: Data): Change {
    return this.inner.toChange(type, data);
  }

  async apply(tx: EntityManager, changes: readonly Change[]): Promise<ChangedMonths> {
    const months = await this.inner.apply(tx, changes);
    if (changes.length > 0) await notifyReadModelsChanged(tx, months);
    return months;
  }
}

/** Every topic the read models are built from, with how it changes them: the live projector and a rebuild use the same list. */
export function createProjections(): TopicProjection[] {
  const projections = [
    new SideEffectsProjection(new SideEffectsStore()),
    new ProceduresProjection(new ProceduresStore()),
    new CasesProjection(),
    new ClinicsProjection(),
    new PigmentsProjection(),
  ] as TopicProjection[];
  return projections.map((projection) => new Notifying(projection));
}
