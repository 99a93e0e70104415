import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { signalMethods } from '@smp/read-models';
import { SignalTable, type SignalRow } from '@smp/statistics';
import { PigmentMonths, type RegisteredPigment } from '../../read-model/pigment-months.js';
import { compareText, pageOf, type CursorKey, type CursorShape } from '../../read-model/paging.js';
import { periodOf, type Period } from '../../read-model/period.js';
import { round } from '../../read-model/rates.js';
import { ListSignalsQuery, type SignalList, type SignalRowView } from './list-signals.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** Disproportionality of every pigment batch × category over the period (and country), filtered and sorted. */
@QueryHandler(ListSignalsQuery)
export class ListSignalsHandler implements IQueryHandler<ListSignalsQuery, Answer<SignalList>> {
  constructor(
    private readonly pigments: PigmentMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: ListSignalsQuery): Promise<Answer<SignalList>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter }: ListSignalsQuery): Promise<SignalList> {
    const { table, names, orders } = await this.table(periodOf(filter.from, filter.to), filter.country, filter.category);
    const sort = filter.sort ?? 'prr';
    const direction = filter.order === 'asc' ? 1 : -1;
    // The value sorted by is the one shown (rounded), so that the order on screen and the cursor agree with the figures.
    const value = (row: number): number | null => {
      const estimate = table.estimate(row, sort);
      return estimate === null ? null : round(estimate);
    };
    const orderKey = `${sort} ${direction}`;
    let sorted = orders.get(orderKey);
    if (!sorted) {
      const values = Array.from({ length: table.length }, (_, row) => value(row));
      // Rows without a value (a zero cell) sort last either way; ties by pigment and category (the table's row order).
      sorted = Int32Array.from({ length: table.length }, (_, row) => row).sort(
        (x, y) => compareValues(values[x]!, values[y]!, direction) || x - y,
      );
      orders.set(orderKey, sorted);
    }
    const signalling = filter.signalling;
    const criterion = signalling === 'evans' ? 'prr' : signalling;
    const matching =
      criterion === undefined
        ? sorted
        : sorted.filter((row) =>
            criterion === 'any' || criterion === 'none'
              ? (table.meets(row, 'prr') || table.meets(row, 'ror') || table.meets(row, 'ic')) === (criterion === 'any')
              : table.meets(row, criterion),
          );
    // The same order as the sort above, for the cursor: by value, then pigment, then category.
    const compare = (x: CursorKey, y: CursorKey): number =>
      compareValues(x[0] as number | null, y[0] as number | null, direction) ||
      compareText(x[1] as string, y[1] as string) ||
      compareText(x[2] as string, y[2] as string);
    const keyOf = (row: number): CursorKey => [value(row), table.subject(row), table.category(row)];
    const page = pageOf(matching, filter, { keyOf, compare, shape: SIGNAL_CURSOR }, (row) => view(table.row(row), names));
    return { from: filter.from ?? null, to: filter.to ?? null, ...page };
  }

  /**
   * The signal table of the period and country (only `category`'s rows, see SignalTable), kept like the answers until
   * the read models change, with the orders it was sorted in: every sort, filter and page of it is then a slice, and
   * only a page's rows are ever scored in full. Do not change the result.
   */
  private table(period: Period, country: string | undefined, category: SideEffectCategory | undefined): Promise<KeptTable> {
    return this.cache.part(
      `signals\u0000${period.from ?? ''}\u0000${period.to ?? ''}\u0000${country ?? ''}\u0000${category ?? ''}`,
      async () => {
        const [pigments, names] = await Promise.all([this.pigments.window(period, country), this.pigments.directory()]);
        // Reports that name a pigment (the database the signals screen), summed per pigment over its countries.
        const subjects: string[] = [];
        const at = new Map<string, number>();
        for (const { pigmentId } of pigments) if (pigmentId !== '' && !at.has(pigmentId)) at.set(pigmentId, subjects.push(pigmentId) - 1);
        const width = SIDE_EFFECT_CATEGORIES.length;
        const counts = new Float64Array(subjects.length * width);
        for (const { pigmentId, tally } of pigments) {
          const subject = at.get(pigmentId);
          if (subject === undefined) continue;
          for (let c = 0; c < width; c++) counts[subject * width + c]! += tally.reports(SIDE_EFFECT_CATEGORIES[c]!);
        }
        // Only the category asked for is listed; its 2×2 tables still come from every category's counts.
        const only = category ? SIDE_EFFECT_CATEGORIES.indexOf(category) : -1;
        const table = new SignalTable(
          { subjects, categories: SIDE_EFFECT_CATEGORIES, counts },
          only < 0 ? undefined : (_, c) => c === only,
        );
        return { table, names, orders: new Map() };
      },
      // The matrix, the table, and room for every order it can be sorted in (SIGNAL_SORTS × 2 directions, 4 bytes a row).
      ({ table }) => table.bytes + table.length * (8 * 4 + 8) + 2_000,
    );
  }
}

/** A period's signal table, the pigments' names, and the row orders asked for so far (by sort and direction). */
interface KeptTable {
  table: SignalTable;
  names: ReadonlyMap<string, RegisteredPigment>;
  orders: Map<string, Int32Array>;
}

/** Sort values in `direction` (1 ascending, -1 descending); rows without a value (null) last either way. */
const compareValues = (x: number | null, y: number | null, direction: number): number =>
  x === y ? 0 : x === null ? 1 : y === null ? -1 : (x - y) * direction;

/** A signals cursor: the sort value (null for a row without one), the pigment and the category of the last row. */
const SIGNAL_CURSOR: CursorShape = ['number or null', 'string', 'string'];

const interval = (ratio: { lower: number; upper: number } | null) =>
  ratio ? { lower: round(ratio.lower), upper: round(ratio.upper) } : null;

function view(row: SignalRow, names: ReadonlyMap<string, RegisteredPigment>): SignalRowView {
  const pigment = names.get(row.subject);
  return {
    pigmentId: row.subject,
    manufacturer: pigment?.manufacturer ?? null,
    product: pigment?.product ?? null,
    batch: pigment?.batch ?? null,
    category: row.category as SideEffectCategory,
    a: row.a,
    b: row.b,
    c: row.c,
    d: row.d,
    prr: {
      value: row.prr ? round(row.prr.estimate) : null,
      ci95: interval(row.prr),
      chi2: row.chiSquare === null ? null : round(row.chiSquare),
      evans: row.signals.prr,
    },
    ror: { value: row.ror ? round(row.ror.estimate) : null, ci95: interval(row.ror), signal: row.signals.ror },
    ic: { value: round(row.ic.estimate), ic025: round(row.ic.lower), signal: row.signals.ic },
    signals: signalMethods(row.signals),
  };
}
