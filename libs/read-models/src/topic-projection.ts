import type { EntityManager } from 'typeorm';

/**
 * How one topic changes the read models: which event types it accepts, the
 * contract their data must pass, and the set-based write of a batch of them.
 */
export interface TopicProjection<Data extends object = object, Change = Data, Loaded = unknown> {
  topic: string;
  types: readonly string[];
  contract: new () => Data;
  toChange(type: string, data: Data): Change;
  /**
   * Optional: what the write of a batch must read first, for the inbox to run in the statement that records the
   * batch's event ids (one round trip less a batch). Given every change of the batch, redeliveries included (the inbox
   * does not know yet which are new), it returns one SQL expression whose value is what `apply` gets as `prefetched`.
   */
  prefetch?(changes: readonly Change[], param: SqlParameter): Prefetch<Loaded>;
  /**
   * Writes the batch; says which procedure months' figures it moved, for readers holding months in memory. `prefetched`
   * is what `prefetch` read in the same transaction, when the projection has one and the inbox ran it.
   */
  apply(tx: EntityManager, changes: readonly Change[], prefetched?: Loaded): Promise<ChangedMonths>;
}

/** Adds a parameter to a statement being built; returns its placeholder ($n). */
export type SqlParameter = (value: unknown) => string;

/** A read to run inside another statement: a scalar SQL expression, and what makes its value ready for `apply`. */
export interface Prefetch<Loaded> {
  sql: string;
  read(value: unknown): Loaded;
}

/**
 * The procedure months ('YYYY-MM') whose counts or procedures a batch changed (none: it changed other read models,
 * such as the case list), or 'all' when it changed what every month is read through (the clinic and pigment registries).
 */
export type ChangedMonths = readonly string[] | 'all';

export const TOPIC_PROJECTIONS = Symbol('TOPIC_PROJECTIONS');
