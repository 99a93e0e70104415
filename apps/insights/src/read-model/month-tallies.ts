import type { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { Limiter } from './limiter.js';
import type { Period } from './period.js';
import { ReadModelCache } from './read-model-cache.js';

const CATEGORIES = SIDE_EFFECT_CATEGORIES.length;
const CATEGORY_INDEX = new Map<string, number>(SIDE_EFFECT_CATEGORIES.map((category, index) => [category, index]));

/**
 * The figures of one subject (a clinic, say, or all of them) over one month or a window of months, side by side in an
 * Int32Array: procedures, which rows the read models hold (a bit mask, see PRESENT), then reports and serious
 * reports per category in SIDE_EFFECT_CATEGORIES order.
 */
const STRIDE = 2 + 2 * CATEGORIES;
const PROCEDURES = 0;
/** Bit 0: the subject has procedures rows; bit 1 + i: it has a report row of category i (even one nullified to 0). */
const PRESENT = 1;
const REPORTS = 2;
const SERIOUS = 2 + CATEGORIES;

/** A subject's figures at `offset` in a tally of every subject. */
export class Tally {
  constructor(
    private readonly values: Int32Array,
    private readonly offset: number,
  ) {}

  get procedures(): number {
    return proceduresAt(this.values, this.offset);
  }

  /** Whether the read models hold any row of the subject: procedures, or reports (of `category` when given). */
  present(category?: SideEffectCategory): boolean {
    return presentAt(this.values, this.offset, category);
  }

  hasReports(category: SideEffectCategory): boolean {
    return ((this.values[this.offset + PRESENT] ?? 0) & (2 << CATEGORY_INDEX.get(category)!)) !== 0;
  }

  reports(category: SideEffectCategory): number {
    return reportsAt(this.values, this.offset, category);
  }

  serious(category: SideEffectCategory): number {
    return this.values[this.offset + SERIOUS + CATEGORY_INDEX.get(category)!] ?? 0;
  }
}

/**
 * A subject's figures as Tally reads them, at its offset in a window's values (TallyWindow.offsetOf): for readers of
 * thousands of subjects per answer (every clinic's funnel), which would otherwise make a Tally of each.
 */
export const proceduresAt = (values: Int32Array, offset: number): number => values[offset + PROCEDURES] ?? 0;

export const reportsAt = (values: Int32Array, offset: number, category: SideEffectCategory): number =>
  values[offset + REPORTS + CATEGORY_INDEX.get(category)!] ?? 0;

export function presentAt(values: Int32Array, offset: number, category?: SideEffectCategory): boolean {
  const mask = values[offset + PRESENT] ?? 0;
  return category ? (mask & (1 | (2 << CATEGORY_INDEX.get(category)!))) !== 0 : mask !== 0;
}

/** Every subject's figures over a window, and all of theirs together. */
export interface TallyWindow {
  /** Every subject met so far (some may have nothing in the window), in key order. */
  keys: readonly string[];
  tally(key: string): Tally | null;
  /** Every subject's figures, to read at offsetOf's offsets with proceduresAt, reportsAt and presentAt. */
  values: Int32Array;
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
  /** Rows of key, m, category, reports and serious. */
  reportsSql: string;
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

  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
    private readonly source: TallySource,
  ) {}

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
    if (!range) return this.windowOf(new Int32Array(0), new Int32Array(STRIDE));
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
    const tally = new Int32Array(this.ids.length * STRIDE);
    const network = new Int32Array(STRIDE);
    for (let month = range.first; month <= range.last; month++) {
      const year = years.get(Math.floor(month / 12))!;
      if (month % 12 === 0 && month + 11 <= range.last) {
        add(tally, year.total);
        add(network, year.networkTotal);
        month += 11;
        continue;
      }
      const slice = year.months[month % 12];
      if (slice) add(tally, slice);
      add(network, year.network[month % 12]!);
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
    return new Window(this.index, this.keysInOrder, tally, network);
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
      rowsOf<[string, number, string, number, number]>(this.source.reportsSql, 'key, m, category, reports, serious'),
    ]);
    // Every subject gets its position first, so that the year's arrays are sized once for all of them.
    for (const [key] of procedureRows) this.position(key);
    for (const [key] of reportRows) this.position(key);
    const size = this.ids.length * STRIDE;
    const months: Array<Int32Array | null> = Array.from({ length: 12 }, () => null);
    // The network's month is written beside each subject's, rather than summed from them afterwards.
    const network = Array.from({ length: 12 }, () => new Int32Array(STRIDE));
    const write = (key: string, m: number, field: number, count: number) => {
      const values = (months[m - 1] ??= new Int32Array(size));
      const at = this.index.get(key)! * STRIDE;
      values[at + field]! += count;
      network[m - 1]![field]! += count;
    };
    const mark = (key: string, m: number, bits: number) => {
      months[m - 1]![this.index.get(key)! * STRIDE + PRESENT]! |= bits;
      network[m - 1]![PRESENT]! |= bits;
    };
    for (const [key, m, count] of procedureRows) {
      write(key, m, PROCEDURES, count);
      mark(key, m, 1);
    }
    for (const [key, m, name, count, serious] of reportRows) {
      const category = CATEGORY_INDEX.get(name);
      if (category === undefined) continue;
      write(key, m, REPORTS + category, count);
      write(key, m, SERIOUS + category, serious);
      mark(key, m, 2 << category);
    }
    const total = new Int32Array(size);
    for (const values of months) if (values) add(total, values);
    const networkTotal = new Int32Array(STRIDE);
    for (const month of network) add(networkTotal, month);
    return { months, network, total, networkTotal, bytes: ((months.filter(Boolean).length + 1) * size + 13 * STRIDE) * 4 + 500 };
  }
}

/** A TallyWindow (perf: a clinic's monthly view makes one per month of its period: methods, not closures of each). */
class Window implements TallyWindow {
  readonly total: Tally;

  constructor(
    private readonly index: ReadonlyMap<string, number>,
    private readonly sorted: () => readonly string[],
    readonly values: Int32Array,
    network: Int32Array,
  ) {
    this.total = new Tally(network, 0);
  }

  /** Listed only when asked for: a clinic's monthly view makes a window per month and never lists them. */
  get keys(): readonly string[] {
    const keys = this.sorted();
    const subjects = this.values.length / STRIDE;
    return subjects === keys.length ? keys : keys.filter((key) => this.index.get(key)! < subjects);
  }

  tally(key: string): Tally | null {
    const offset = this.offsetOf(key);
    return offset < 0 ? null : new Tally(this.values, offset);
  }

  offsetOf(key: string): number {
    const position = this.index.get(key);
    return position !== undefined && position * STRIDE < this.values.length ? position * STRIDE : -1;
  }
}

/** Adds `values` into `into` position by position (the presence masks OR-ed), as far as `values` goes. */
function add(into: Int32Array, values: Int32Array): void {
  const length = Math.min(into.length, values.length);
  for (let base = 0; base < length; base += STRIDE) {
    into[base + PROCEDURES]! += values[base + PROCEDURES]!;
    into[base + PRESENT]! |= values[base + PRESENT]!;
    for (let at = base + REPORTS; at < base + STRIDE; at++) into[at]! += values[at]!;
  }
}
