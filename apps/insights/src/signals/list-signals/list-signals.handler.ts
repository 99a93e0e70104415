import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { namedSignals, type PigmentSignal } from '@smp/read-models';
import { signalRows } from '@smp/statistics';
import { PigmentMonths } from '../../read-model/pigment-months.js';
import { compareText, pageOf, type CursorKey, type CursorShape } from '../../read-model/paging.js';
import { periodOf, type Period } from '../../read-model/period.js';
import { round } from '../../read-model/rates.js';
import { ListSignalsQuery, type SignalList, type SignalRowView } from './list-signals.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** Disproportionality of every pigment batch × category over the period (and country), filtered and sorted. */
@QueryHandler(ListSignalsQuery)
export class ListSignalsHandler implements IQueryHandler<ListSignalsQuery, SignalList> {
  constructor(
    private readonly pigments: PigmentMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: ListSignalsQuery): Promise<SignalList> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter }: ListSignalsQuery): Promise<SignalList> {
    const table = await this.table(periodOf(filter.from, filter.to), filter.country, filter.category);
    const signalling = filter.signalling;
    const matching = !signalling
      ? table
      : table.filter((row) =>
          signalling === 'any'
            ? row.methods.length > 0
            : signalling === 'none'
              ? row.methods.length === 0
              : row.methods.includes(signalling),
        );
    const sort = filter.sort ?? 'prr';
    const direction = filter.order === 'asc' ? 1 : -1;
    // The value sorted by is the one shown (rounded), so that the order on screen and the cursor agree with the figures.
    const value = (row: PigmentSignal): number | null =>
      sort === 'prr'
        ? row.prr
          ? round(row.prr.estimate)
          : null
        : sort === 'ror'
          ? row.ror
            ? round(row.ror.estimate)
            : null
          : sort === 'ic'
            ? round(row.ic.estimate)
            : row.a;
    const keyed = matching.map((row) => ({ key: [value(row), row.subject, row.category] as CursorKey, row }));
    // Rows without a value (a zero cell) sort last either way; ties by pigment and category for a stable order.
    const compare = (x: CursorKey, y: CursorKey): number => {
      const [vx, vy] = [x[0] as number | null, y[0] as number | null];
      if (vx !== vy) return vx === null ? 1 : vy === null ? -1 : (vx - vy) * direction;
      return compareText(x[1] as string, y[1] as string) || compareText(x[2] as string, y[2] as string);
    };
    keyed.sort((x, y) => compare(x.key, y.key));
    const page = pageOf(keyed, filter, { keyOf: (entry) => entry.key, compare, shape: SIGNAL_CURSOR }, (entry) => view(entry.row));
    return { from: filter.from ?? null, to: filter.to ?? null, ...page };
  }

  /**
   * The signal table of the period and country (only `category`'s rows scored, see signalRows), kept like the answers
   * until the read models change: every sort, filter and page of it is then a slice. Do not change the result.
   */
  private table(period: Period, country: string | undefined, category: SideEffectCategory | undefined): Promise<PigmentSignal[]> {
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
        // Only the category asked for is scored; its 2×2 tables still come from every category's counts.
        const only = category ? SIDE_EFFECT_CATEGORIES.indexOf(category) : -1;
        return namedSignals(
          signalRows({ subjects, categories: SIDE_EFFECT_CATEGORIES, counts }, only < 0 ? undefined : (_, c) => c === only),
          names,
        );
      },
      (rows) => rows.length * BYTES_PER_ROW,
    );
  }
}

/** A signal row's heap (its 2×2 table, three measures with intervals, names), for the cache's budget. An estimate. */
const BYTES_PER_ROW = 700;

/** A signals cursor: the sort value (null for a row without one), the pigment and the category of the last row. */
const SIGNAL_CURSOR: CursorShape = ['number or null', 'string', 'string'];

const interval = (ratio: { lower: number; upper: number } | null) =>
  ratio ? { lower: round(ratio.lower), upper: round(ratio.upper) } : null;

function view(row: PigmentSignal): SignalRowView {
  return {
    pigmentId: row.subject,
    manufacturer: row.manufacturer,
    product: row.product,
    batch: row.batch,
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
    signals: row.methods,
  };
}
