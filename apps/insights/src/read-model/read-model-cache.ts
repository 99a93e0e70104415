import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NotificationListener } from '@smp/persistence';
import { KeptAnswer, type Answer } from '@smp/http';
import { AppMetrics } from '@smp/observability';
import { READ_MODELS_CHANGED, changedMonthsOf, type ChangedMonths } from '@smp/read-models';
import { InsightsConfig } from '../insights.config.js';
import { Limiter } from './limiter.js';

interface Entry {
  version: number;
  /** The calendar year a held read model covers (its version moves only with changes to that year); null: any change. */
  year: number | null;
  value: unknown;
  bytes: number;
  /** Read since it was stored or last spared by an eviction (see store). */
  used: boolean;
}

/** What is kept of a value computed, and the bytes it is taken to cost. */
interface Kept<K> {
  kept: K;
  bytes: number;
}

/** Entries kept under one budget, in the order they were stored or last spared by an eviction (see store). */
interface Shelf {
  entries: Map<string, Entry>;
  bytes: number;
  budget: number;
  /** The cache's version when the shelf was last swept of entries that can never be read again. */
  swept: number;
  /** Lookups, by what they found (see remember). */
  counted: Counted;
  /** Entries evicted for the budget. */
  evicted: { inc(): void };
}

type Counted = Record<'hit' | 'miss' | 'shared' | 'uncached', { inc(): void }>;

/** What a kept answer costs beside its gzipped JSON: its key, its entry, the Buffer and KeptAnswer objects. An estimate. */
const BYTES_PER_ENTRY = 1_000;

/**
 * Answers kept until the read models change. The projector NOTIFYs in every
 * transaction that changes them, and Postgres delivers that on commit; a
 * notification starts a new version and every answer of an older version is
 * recomputed on its next request. While batches commit many times a second,
 * notifications are merged into at most one new version per
 * INSIGHTS_CACHE_WINDOW_MS, so an answer is at most that much behind the last
 * change the listener heard of (0: never behind), and a busy projector does not
 * turn every request into a miss. Concurrent identical misses share one query.
 * Without a live LISTEN connection nothing is cached.
 */
@Injectable()
export class ReadModelCache implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Answers and the parts they are computed from. */
  private readonly answers: Shelf;
  /**
   * The parts answers are computed from (see part): a budget of their own, so that large parts (a period's funnel of
   * every clinic, say) do not push out the many small kept answers that would spare computing them at all.
   */
  private readonly parts: Shelf;
  /** The read models held in memory (see held): a budget of their own, so that a run of large answers cannot push them out. */
  private readonly tallies: Shelf;
  /** The small parts' lookups (see smallPart): on the answers' shelf, counted apart from the answers. */
  private readonly smallParts: Counted;
  private readonly pending = new Map<string, { version: number; answer: Promise<unknown> }>();
  private version = 0;
  /** The version at which each year's figures last changed, and at which everything last did (see changedMonthsOf). */
  private readonly yearVersions = new Map<number, number>();
  private everythingVersion = 0;
  /** What the notifications since the last new version named: years, or everything. */
  private changedYears = new Set<number>();
  private changedEverything = false;
  private listener: NotificationListener | undefined;
  private lastBump = 0;
  /** At most INSIGHTS_QUERY_CONCURRENCY answers computed at once, the rest in arrival order. */
  private readonly turns: Limiter;
  private bumpScheduled: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: InsightsConfig,
    metrics: AppMetrics,
  ) {
    this.turns = new Limiter(config.INSIGHTS_QUERY_CONCURRENCY);
    const lookups = metrics.counter('cache_lookups_total', {
      help:
        'Lookups of the answer cache per shelf (answers; small-parts, kept within the answers budget; parts; tallies), by ' +
        'outcome: hit (kept), miss (computed), shared (joined the same computation in flight), uncached (no live LISTEN ' +
        'connection, or a budget of 0)',
      labelNames: ['shelf', 'outcome'],
    });
    const evictions = metrics.counter('cache_evictions_total', {
      help: 'Entries evicted to stay within the shelf budget (not counting those a change of the read models made stale)',
      labelNames: ['shelf'],
    });
    const counted = (name: string): Counted => ({
      hit: lookups.labels(name, 'hit'),
      miss: lookups.labels(name, 'miss'),
      shared: lookups.labels(name, 'shared'),
      uncached: lookups.labels(name, 'uncached'),
    });
    const shelf = (name: string, budget: number): Shelf => ({
      entries: new Map(),
      bytes: 0,
      budget,
      swept: 0,
      counted: counted(name),
      evicted: evictions.labels(name),
    });
    this.smallParts = counted('small-parts');
    this.answers = shelf('answers', config.INSIGHTS_CACHE_BYTES);
    this.parts = shelf('parts', config.INSIGHTS_PART_BYTES);
    this.tallies = shelf('tallies', config.INSIGHTS_TALLY_BYTES);
    const shelves = { answers: this.answers, parts: this.parts, tallies: this.tallies };
    metrics.gauge('cache_bytes', {
      help: 'Bytes the entries of each shelf are taken to cost (its budget: INSIGHTS_CACHE_BYTES, _PART_BYTES, _TALLY_BYTES)',
      labelNames: ['shelf'],
      collect() {
        for (const [name, { bytes }] of Object.entries(shelves)) this.set({ shelf: name }, bytes);
      },
    });
    metrics.gauge('cache_entries', {
      help: 'Entries kept on each shelf',
      labelNames: ['shelf'],
      collect() {
        for (const [name, { entries }] of Object.entries(shelves)) this.set({ shelf: name }, entries.size);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.bumpScheduled);
    await this.listener?.stop();
  }

  /**
   * The answer for `key`, computed by `compute` (in turn, see turns) unless the current version already has it: as
   * computed on a miss, and as kept (gzipped JSON, see KeptAnswer) on a hit. An answer is kept as its bytes alone, not
   * as its objects: a fraction of the memory (so many times more answers fit in INSIGHTS_CACHE_BYTES), and sent as it is.
   */
  get<T extends object>(key: string, uncounted: () => Promise<T>): Promise<Answer<T>> {
    return this.remember(
      this.answers,
      key,
      null,
      () => this.turns.run(uncounted),
      (value): Kept<KeptAnswer<T>> => {
        const kept = KeptAnswer.of(value);
        return { kept, bytes: kept.gzip.length + BYTES_PER_ENTRY };
      },
    );
  }

  /**
   * A part that several answers are computed from (the network funnel that every clinic's incidence is placed on,
   * say), kept like the answers until the read models change, so that the answers for many clinics compute it once.
   * Computed in the turn of the answer that asks for it (never waits for a turn of its own, so an answer holding a
   * turn cannot wait on one), never serialized; `bytes` estimates its heap. Callers must not change what it returns.
   */
  part<T>(key: string, compute: () => Promise<T>, bytes: (value: T) => number): Promise<T> {
    return this.remember(this.parts, `part\u0000${key}`, null, compute, (value) => ({ kept: value, bytes: bytes(value) }));
  }

  /**
   * Like part, for a part of a few hundred bytes (a funnel's scale, say) that many answers need: kept among the answers,
   * whose budget holds thousands of small entries, rather than among the large parts, whose churn would evict it.
   */
  smallPart<T>(key: string, compute: () => Promise<T>, bytes: (value: T) => number): Promise<T> {
    return this.remember(
      this.answers,
      `small-part\u0000${key}`,
      null,
      compute,
      (value) => ({ kept: value, bytes: bytes(value) }),
      this.smallParts,
    );
  }

  /**
   * Like part, for a read model of one calendar year held in memory (every clinic's monthly figures, say) that many
   * answers add up: kept within INSIGHTS_TALLY_BYTES rather than among the answers, whose churn would otherwise evict
   * it, and until a change names its year (the projector names the procedure months each transaction moved), not
   * until any change at all: a steady flow of this month's reports leaves the other years loaded.
   */
  held<T>(key: string, year: number, compute: () => Promise<T>, bytes: (value: T) => number): Promise<T> {
    return this.remember(this.tallies, `held\u0000${key}`, year, compute, (value) => ({ kept: value, bytes: bytes(value) }));
  }

  /** The version an entry for `year` (null: for anything) must have to be current. */
  private versionFor(year: number | null): number {
    return year === null ? this.version : Math.max(this.everythingVersion, this.yearVersions.get(year) ?? 0);
  }

  /** The value for `key`: as kept (by `keep`) when the current version has it, otherwise computed (and then kept). */
  private async remember<T, K>(
    shelf: Shelf,
    key: string,
    year: number | null,
    compute: () => Promise<T>,
    keep: (value: T) => Kept<K>,
    counted = shelf.counted,
  ): Promise<T | K> {
    if (!this.listener?.listening || shelf.budget === 0) {
      counted.uncached.inc();
      return compute();
    }
    const version = this.versionFor(year);
    const entry = shelf.entries.get(key);
    if (entry && entry.version === version) {
      counted.hit.inc();
      // Marked, not moved to the back of the Map (see store).
      entry.used = true;
      return entry.value as K;
    }
    const inFlight = this.pending.get(key);
    if (inFlight && inFlight.version === version) {
      counted.shared.inc();
      return inFlight.answer as Promise<T>;
    }
    counted.miss.inc();
    const answer = compute().then((value) => {
      // A change committed while computing may or may not be in `value`: keep it only if none came.
      if (this.listener?.listening && this.versionFor(year) === version) {
        const { kept, bytes } = keep(value);
        this.store(shelf, key, { version, year, value: kept, bytes, used: false });
      }
      return value;
    });
    this.pending.set(key, { version, answer });
    void answer.finally(() => this.pending.get(key)?.answer === answer && this.pending.delete(key)).catch(() => undefined);
    return answer;
  }

  private async listen(): Promise<void> {
    this.listener = await NotificationListener.start(
      {
        connectionString: this.config.DATABASE_URL,
        channel: READ_MODELS_CHANGED,
        applicationName: 'insights-cache-listener',
        purpose: 'caching answers',
      },
      {
        onNotify: (payload) => this.changed(changedMonthsOf(payload ?? '')),
        // Whatever changed before LISTEN took effect, or while it was lost, is older than the new version.
        onListening: () => this.everythingChanged(),
        onLost: () => this.everythingChanged(),
      },
    );
  }

  private everythingChanged(): void {
    this.changedEverything = true;
    this.bump();
  }

  /** A new version now, or at the end of the current window if one started less than a window ago. */
  private changed(months: ChangedMonths): void {
    if (months === 'all') this.changedEverything = true;
    else for (const month of months) this.changedYears.add(Number(month.slice(0, 4)));
    const wait = this.lastBump + this.config.INSIGHTS_CACHE_WINDOW_MS - Date.now();
    if (wait <= 0) this.bump();
    else
      this.bumpScheduled ??= setTimeout(() => {
        this.bumpScheduled = undefined;
        this.bump();
      }, wait).unref();
  }

  /** Every answer out of date, and the years (or everything) the changes since the last bump named. */
  private bump(): void {
    this.version++;
    this.lastBump = Date.now();
    if (this.changedEverything) {
      this.everythingVersion = this.version;
      this.yearVersions.clear();
    } else for (const year of this.changedYears) this.yearVersions.set(year, this.version);
    this.changedEverything = false;
    this.changedYears = new Set();
  }

  private store(shelf: Shelf, key: string, entry: Entry): void {
    // Once per new version, the entries that can never be read again go at once, rather than as the budget fills.
    if (shelf.swept !== this.version) {
      shelf.swept = this.version;
      for (const [oldKey, old] of shelf.entries) {
        if (old.version === this.versionFor(old.year)) continue;
        shelf.entries.delete(oldKey);
        shelf.bytes -= old.bytes;
      }
    }
    const previous = shelf.entries.get(key);
    if (previous) shelf.bytes -= previous.bytes;
    shelf.entries.delete(key);
    shelf.entries.set(key, entry);
    shelf.bytes += entry.bytes;
    // Second chance (the CLOCK approximation of least recently used): from the oldest on, an entry read since it was
    // stored or last spared goes to the back once, unmarked; the first one unread goes. (perf: a hit used to move its
    // entry to the back, a delete and a set: V8's Map leaves the deleted entry in its bucket's chain until the table is
    // rehashed, so one view asked for again and again made its chain thousands of entries long, and every lookup of it
    // walked them: up to 20 µs a hit with the answers of a 16 MB budget.)
    for (const [oldest, old] of shelf.entries) {
      if (shelf.bytes <= shelf.budget) break;
      shelf.entries.delete(oldest);
      if (old.used) {
        old.used = false;
        shelf.entries.set(oldest, old);
      } else {
        shelf.bytes -= old.bytes;
        shelf.evicted.inc();
      }
    }
  }
}

/** A cache key for a query object: its class and its fields. */
export const cacheKey = (query: object): string => `${query.constructor.name}:${JSON.stringify(query)}`;
