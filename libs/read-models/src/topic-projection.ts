import type { EntityManager } from 'typeorm';

/**
 * How one topic changes the read models: which event types it accepts, the
 * contract their data must pass, and the set-based write of a batch of them.
 */
export interface TopicProjection<Data extends object = object, Change = Data> {
  topic: string;
  types: readonly string[];
  contract: new () => Data;
  toChange(type: string, data: Data): Change;
  /** Writes the batch; says which procedure months' figures it moved, for readers holding months in memory. */
  apply(tx: EntityManager, changes: readonly Change[]): Promise<ChangedMonths>;
}

/**
 * The procedure months ('YYYY-MM') whose counts or procedures a batch changed (none: it changed other read models,
 * such as the case list), or 'all' when it changed what every month is read through (the clinic and pigment registries).
 */
export type ChangedMonths = readonly string[] | 'all';

export const TOPIC_PROJECTIONS = Symbol('TOPIC_PROJECTIONS');
