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
  apply(tx: EntityManager, changes: readonly Change[]): Promise<void>;
}

export const TOPIC_PROJECTIONS = Symbol('TOPIC_PROJECTIONS');
