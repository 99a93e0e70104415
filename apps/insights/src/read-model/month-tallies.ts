import type { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { Limiter } from './limiter.js';
import type { Period } from './period.js';
import { ReadModelCache } from './read-model-cache.js';

const PROCEDURES = 0;
/** Bit 0: the subject has procedures rows; bit 1 + i: it has a report row of slot i (even one nullified to 0). */
const PRESENT = 1;
const REPORTS = 2;

/**
 * How the figures of one subject (a clinic, say, or all of them) over one month or a window of months lie side by side
 * in an Int32Array: procedures, which rows the read models hold (a bit mask, see PRESENT), then reports and serious
 * reports per slot. A source counted per category has a slot per category, in SIDE_EFFECT_CATEGORIES order; a source of
 * reports across categories (each report once, whatever it names) has one, which takes no category.
 */
export class TallyLayout {
  /** The numbers of one subject. */
  readonly stride: number;
  private readonly serious: number;
  private readonly slots: ReadonlyMap<SideEffectCategory | undefined, number>;

  private constructor(categories: ReadonlyArray<SideEffectCategory | undefined>) {
    this.stride = 2 + 2 * categories.length;
    this.serious = REPORTS + categories.length;
    this.slots = new Map(categories.map((category, slot) => [category, slot]));
  }

  static readonly PER_CATEGORY = new TallyLayout(SIDE_EFFECT_CATEGORIES);
  static readonly ACROSS_CATEGORIES = new TallyLayout([undefined]);

  /** The slot of `category` (none: across categories); throws for a category the layout does not count by. */
  slot(category: SideEffectCategory | undefined): number {
    const slot = this.slots.get(category);
    if (slot === undefined)
      throw new Error(category ? `tally counted across categories, asked for ${category}` : 'tally counted per category, asked for none');
    return slot;
  }

  /** The slot of a source row's category (null across categories); undefined for a category it does not know. */
  slotOf(name: string | null): number | undefined {
    return this.slots.get((name ?? undefined) as SideEffectCategory | undefined);
  }

  proceduresAt(values: Int32Array, offset: number): number {
    return values[offset + PROCEDURES] ?? 0;
  }

  reportsAt(values: Int32Array, offset: number, category?: SideEffectCategory): number {
    return values[offset + REPORTS + this.slot(category)] ?? 0;
  }

  seriousAt(values: Int32Array, offset: number, category?: SideEffectCategory): number {
    return values[offset + this.serious + this.slot(category)] ?? 0;
  }

  /** Whether the read models hold any row of the subject: procedures, or reports (of `category` when given). */
  presentAt(values: Int32Array, offset: number, category?: SideEffectCategory): boolean {
    const mask = values[offset + PRESENT] ?? 0;
    return category ? (mask & (1 | (2 << this.slot(category)))) !== 0 : mask !== 0;
  }

  hasReportsAt(values: Int32Array, offset: number, category?: SideEffectCategory): boolean {
    return ((values[offset + PRESENT] ?? 0) & (2 << this.slot(category))) !== 0;
  }

  /** Where a source row's reports (and, below, serious reports) of `slot` go in a subject's numbers. */
  reportsField(slot: number): number {
    return REPORTS + slot;
  }

  seriousField(slot: number): number {
    return this.serious + slot;
  }

  /** Adds `values` into `into` subject by subject (the presence masks OR-ed), as far as `values` goes. */
  add(into: Int32Array, values: Int32Array): void {
    const stride = this.stride;
    const length = Math.min(into.length, values.length);
    for (let base = 0; base < length; base += stride) {
      into[base + PROCEDURES]! += values[base + PROCEDURES]!;
      into[base + PRESENT]! |= values[base + PRESENT]!;
      for (let at = base + REPORTS; at < base + stride; at++) into[at]! += values[at]!;
    }
  }
}

/** A subject's figures at `offset` in a tally of every subject. */
export class Tally {
  constructor(
    private readonly values: Int32Array,
    private readonly offset: number,
    private readonly layout: TallyLayout,
  ) {}

  get procedures(): number {
    return this.layout.proceduresAt(this.values, this.offset);
  }

  /** Whether the read models hold any row of the subject: procedures, or reports (of `category` when given). */
  present(category?: SideEffectCategory): boolean {
    return this.layout.presentAt(this.values, this.offset, category);
  }

  /** Of `category`; of none for a tally across categories. */
  hasReports(category?: SideEffectCategory): boolean {
    return this.layout.hasReportsAt(this.values, this.offset, category);
  }

  reports(category?: SideEffectCategory): number {
    return this.layout.reportsAt(this.values, this.offset, category);
  }

  serious(category?: SideEffectCategory): number {
    return this.layout.seriousAt(this.values, this.offset, category);
  }
}

/** Every subject's figures over a window, and all of theirs together. */
export interface TallyWindow {
  /** Every subject met so far (some may have nothing in the window), in key order. */
  keys: readonly string[];
  tally(key: string): Tally | null;
  /** Every subject's figures, to read at offsetOf's offsets with the layout's proceduresAt, reportsAt and presentAt. */
  values: Int32Array;
  layout: TallyLayout;
  /** Where the subject's figures are in `values`; -1 when the window has none of it. */
  offsetOf(key: string): number;
  /** Every subject's figures summed. */
  total: Tally;
}

/** Where a MonthTallies reads its subjects' figures: SQL given a year's bounds ($1 its first day, $2 the next year's). */
export interface TallySource {
  /** Names the source's parts in the answer cache. */
  name: string;
  /** The tables whose procedure months, together, are the months held (their first and last bound open windows). */
  tables: readonly string[];
  /** Rows of key (the subject, text), m (month of the year, 1-12) and procedures; none for a source of reports alone. */
  proceduresSql?: string;
  /** Rows of key, m, category (none for a source across categories), reports and serious. */
  reportsSql: string;
  /** Whether the source counts each report once across categories (see TallyLayout); per category when not said. */
  acrossCategories?: boolean;
}

/** One calendar year of a source: each month's tally of every subject, and all subjects' per month. */
interface TallyYear {
  months: Array<Int32Array | null>;
  network: Int32Array[];
  /** The year's months summed, for windows that cover it whole. */
  total: Int32Array;
  networkTotal: Int32Array;
  bytes: number;
}

/**
 * At most this many years load at once, across every source: a cold all-time answer over 20 years would otherwise hold
 * 40 years' rows (a few MB of JSON and its objects each) in memory together. One: insights' peak RSS is reached while
 * years load after the history grew tenfold (queries runs of four endpoints the same hour, with 12 MB
 * semi-spaces then: 276.2 MiB with two at once, 266.4 with one; the first 3 s after the growth answered at p99 2.7-2.9 s
 * either way).
 */
const CONCURRENT_LOADS = 1;

const loads = new Limiter(CONCURRENT_LOADS);

/** Windows longer than this many months are kept (see MonthTallies.window). */
const KEPT_WINDOW_MONTHS = 24;

/** A month as a number (year × 12 + month − 1) from 'YYYY-MM-…'. */
const monthNumber = (date: string): number => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const monthLabel = (month: number): string => `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;

/**
 * Read models of procedures and of reports per subject (clinic, pigment…), category and procedure month, held in
 * memory a calendar year at a time and kept like the answers until the read models change, so that an answer over
 * any window of months (every clinic's funnel, the network's monthly rates) adds up a few arrays instead of
 * aggregating tables: a year is loaded once, with two queries, and serves every window that touches it.
 */
export class MonthTallies {
  /** Subject ↔ position in every tally; only grows, so tallies of different ages line up. */
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private sorted: readonly string[] = [];
  /** sortedKeys, for the windows to call. */
  private readonly keysInOrder = (): readonly string[] => this.sortedKeys();
  private readonly layout: TallyLayout;

  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
    private readonly source: TallySource,
  ) {
    this.layout = source.acrossCategories ? TallyLayout.ACROSS_CATEGORIES : TallyLayout.PER_CATEGORY;
  }

  /** The months of the period as month numbers, open ends closed by the months the read models hold; null when they hold none. */
  async range(period: Period): Promise<{ first: number; last: number } | null> {
    const held = await this.cache.part(
      `${this.source.name}-range`,
      async () => {
        const [row]: Array<{ first: string | null; last: string | null }> = await this.db.query(
          `SELECT to_char(min(first), 'YYYY-MM-DD') AS first, to_char(max(last), 'YYYY-MM-DD') AS last
             FROM (${this.source.tables
               .map((table) => `SELECT min(procedure_month) AS first, max(procedure_month) AS last FROM ${table}`)
               .join(' UNION ALL ')}) held`,
        );
        return row?.first && row.last ? { first: monthNumber(row.first), last: monthNumber(row.last) } : null;
      },
      () => 100,
    );
    if (!held) return null;
    const first = Math.max(held.first, period.from ? monthNumber(period.from) : held.first);
    const last = Math.min(held.last, period.to ? monthNumber(period.to) : held.last);
    return first <= last ? { first, last } : null;
  }

  /**
   * Every subject's figures summed over the period: whole years from their totals, the rest month by month. A window
   * of more than two years (all time, when no period is given) is kept like the answers until the read models change:
   * every answer over it (each field of a count, each filter of the funnels) would otherwise add up the same years again.
   */
  async window(period: Period): Promise<TallyWindow> {
    const range = await this.range(period);
    if (!range) return this.windowOf(new Int32Array(0), new Int32Array(this.layout.stride));
    const { tally, network } =
      range.last - range.first < KEPT_WINDOW_MONTHS
        ? await this.sum(range)
        : await this.cache.part(
            `${this.source.name}-window\u0000${range.first}\u0000${range.last}`,
            () => this.sum(range),
            (sum) => (sum.tally.length + sum.network.length) * 4 + 200,
          );
    return this.windowOf(tally, network);
  }

  private async sum(range: { first: number; last: number }): Promise<{ tally: Int32Array; network: Int32Array }> {
    const years = await this.years(range);
    const { layout } = this;
    const tally = new Int32Array(this.ids.length * layout.stride);
    const network = new Int32Array(layout.stride);
    for (let month = range.first; month <= range.last; month++) {
      const year = years.get(Math.floor(month / 12))!;
      if (month % 12 === 0 && month + 11 <= range.last) {
        layout.add(tally, year.total);
        layout.add(network, year.networkTotal);
        month += 11;
        continue;
      }
      const slice = year.months[month % 12];
      if (slice) layout.add(tally, slice);
      layout.add(network, year.network[month % 12]!);
    }
    return { tally, network };
  }

  /** Each month of the period (within the months held): every subject's figures that month, and all of theirs. */
  async eachMonth(period: Period): Promise<Array<{ month: string; window: TallyWindow }>> {
    const range = await this.range(period);
    if (!range) return [];
    const years = await this.years(range);
    const months = [];
    for (let month = range.first; month <= range.last; month++) {
      const year = years.get(Math.floor(month / 12))!;
      months.push({
        month: monthLabel(month),
        window: this.windowOf(year.months[month % 12] ?? new Int32Array(0), year.network[month % 12]!),
      });
    }
    return months;
  }

  private windowOf(tally: Int32Array, network: Int32Array): TallyWindow {
    return new Window(this.index, this.keysInOrder, this.layout, tally, network);
  }

  private async years(range: { first: number; last: number }): Promise<Map<number, TallyYear>> {
    const numbers: number[] = [];
    for (let year = Math.floor(range.first / 12); year <= Math.floor(range.last / 12); year++) numbers.push(year);
    const years = await Promise.all(
      numbers.map((year) =>
        this.cache.held(
          `${this.source.name}-year\u0000${year}`,
          year,
          () => loads.run(() => this.load(year)),
          (loaded) => loaded.bytes,
        ),
      ),
    );
    return new Map(numbers.map((year, i) => [year, years[i]!]));
  }

  /** Every subject met so far, in key order; sorted again only after new subjects came. Do not change it. */
  private sortedKeys(): readonly string[] {
    if (this.sorted.length !== this.ids.length) this.sorted = [...this.ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return this.sorted;
  }

  private position(key: string): number {
    let position = this.index.get(key);
    if (position === undefined) {
      position = this.ids.length;
      this.index.set(key, position);
      this.ids.push(key);
    }
    return position;
  }

  private async load(year: number): Promise<TallyYear> {
    const bounds = [`${year}-01-01`, `${year + 1}-01-01`];
    // Each query's rows come back as one JSON array of arrays: a year of every clinic is ~100,000 rows, which the driver
    // would parse one by one at ~2 µs each, where JSON.parse takes a fraction of that (and arrays weigh less than objects).
    const rowsOf = async <Row>(sql: string, columns: string): Promise<Row[]> => {
      const [result]: Array<{ rows: Row[] }> = await this.db.query(
        `SELECT coalesce(json_agg(json_build_array(${columns})), '[]'::json) AS rows FROM (${sql}) r`,
        bounds,
      );
      return result!.rows;
    };
    const [procedureRows, reportRows] = await Promise.all([
      this.source.proceduresSql ? rowsOf<[string, number, number]>(this.source.proceduresSql, 'key, m, procedures') : [],
      rowsOf<[string, number, string | null, number, number]>(
        this.source.reportsSql,
        `key, m, ${this.source.acrossCategories ? 'NULL' : 'category'}, reports, serious`,
      ),
    ]);
    // Every subject gets its position first, so that the year's arrays are sized once for all of them.
    for (const [key] of procedureRows) this.position(key);
    for (const [key] of reportRows) this.position(key);
    const { layout } = this;
    const { stride } = layout;
    const size = this.ids.length * stride;
    const months: Array<Int32Array | null> = Array.from({ length: 12 }, () => null);
    // The network's month is written beside each subject's, rather than summed from them afterwards.
    const network = Array.from({ length: 12 }, () => new Int32Array(stride));
    const write = (key: string, m: number, field: number, count: number) => {
      const values = (months[m - 1] ??= new Int32Array(size));
      const at = this.index.get(key)! * stride;
      values[at + field]! += count;
      network[m - 1]![field]! += count;
    };
    const mark = (key: string, m: number, bits: number) => {
      months[m - 1]![this.index.get(key)! * stride + PRESENT]! |= bits;
      network[m - 1]![PRESENT]! |= bits;
    };
    for (const [key, m, count] of procedureRows) {
      write(key, m, PROCEDURES, count);
      mark(key, m, 1);
    }
    for (const [key, m, name, count, serious] of reportRows) {
      const slot = layout.slotOf(name);
      if (slot === undefined) continue;
      write(key, m, layout.reportsField(slot), count);
      write(key, m, layout.seriousField(slot), serious);
      mark(key, m, 2 << slot);
    }
    const total = new Int32Array(size);
    for (const values of months) if (values) layout.add(total, values);
    const networkTotal = new Int32Array(stride);
    for (const month of network) layout.add(networkTotal, month);
    return { months, network, total, networkTotal, bytes: ((months.filter(Boolean).length + 1) * size + 13 * stride) * 4 + 500 };
  }
}

/** A TallyWindow (perf: a clinic's monthly view makes one per month of its period: methods, not closures of each). */
class Window implements TallyWindow {
  readonly total: Tally;

  constructor(
    private readonly index: ReadonlyMap<string, number>,
    private readonly sorted: () => readonly string[],
    readonly layout: TallyLayout,
    readonly values: Int32Array,
    network: Int32Array,
  ) {
    this.total = new Tally(network, 0, layout);
  }

  /** Listed only when asked for: a clinic's monthly view makes a window per month and never lists them. */
  get keys(): readonly string[] {
    const keys = this.sorted();
    const subjects = this.values.length / this.layout.stride;
    return subjects === keys.length ? keys : keys.filter((key) => this.index.get(key)! < subjects);
  }

  tally(key: string): Tally | null {
    const offset = this.offsetOf(key);
    return offset < 0 ? null : new Tally(this.values, offset, this.layout);
  }

  offsetOf(key: string): number {
    const position = this.index.get(key);
    const offset = position === undefined ? -1 : position * this.layout.stride;
    return offset < this.values.length ? offset : -1;
  }
}
