import type { EntityManager } from 'typeorm';
import { CasesProjection } from './cases.projection.js';
import { ProceduresProjection } from './procedures.projection.js';
import { ProceduresStore } from './procedures.store.js';
import { ClinicsProjection, PigmentsProjection } from './registry.projection.js';
import { SideEffectsProjection } from './side-effects.projection.js';
import { SideEffectsStore } from './side-effects.store.js';
import type { TopicProjection } from './topic-projection.js';

/** Notified (on commit) whenever the read models change, so that readers can drop what they cached. */
export const READ_MODELS_CHANGED = 'smp_read_models_changed';

/** Postgres delivers a NOTIFY when its transaction commits, once per transaction and channel. */
export async function notifyReadModelsChanged(tx: EntityManager): Promise<void> {
  await tx.query(`NOTIFY ${READ_MODELS_CHANGED}`);
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

  async apply(tx: EntityManager, changes: readonly Change[]): Promise<void> {
    await this.inner.apply(tx, changes);
    if (changes.length > 0) await notifyReadModelsChanged(tx);
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
