import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { signalsOf, type PigmentSignal } from '@smp/read-models';
import { PigmentMonths } from '../../read-model/pigment-months.js';
import { periodOf } from '../../read-model/period.js';
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
    const [pigments, names] = await Promise.all([
      this.pigments.window(periodOf(filter.from, filter.to), filter.country),
      this.pigments.directory(),
    ]);
    // Reports that name a pigment (the database the signals screen), one cell per pigment, country and category.
    const cells = pigments
      .filter(({ pigmentId }) => pigmentId !== '')
      .flatMap(({ pigmentId, tally }) =>
        SIDE_EFFECT_CATEGORIES.filter((category) => tally.hasReports(category)).map((category) => ({
          subject: pigmentId,
          category,
          reports: tally.reports(category),
        })),
      );
    const signals = signalsOf(cells, names);
    const signalling = filter.signalling;
    const rows = signals
      .filter((row) => !filter.category || row.category === filter.category)
      .filter((row) =>
        !signalling
          ? true
          : signalling === 'any'
            ? row.methods.length > 0
            : signalling === 'none'
              ? row.methods.length === 0
              : row.methods.includes(signalling),
      )
      .map(view);
    const sort = filter.sort ?? 'prr';
    const direction = filter.order === 'asc' ? 1 : -1;
    const value = (row: SignalRowView): number | null =>
      sort === 'prr' ? row.prr.value : sort === 'ror' ? row.ror.value : sort === 'ic' ? row.ic.value : row.a;
    // Rows without a value (a zero cell) sort last either way; ties by pigment and category for a stable order.
    rows.sort((x, y) => {
      const [vx, vy] = [value(x), value(y)];
      if (vx === null || vy === null) return vx === vy ? tie(x, y) : vx === null ? 1 : -1;
      return vx === vy ? tie(x, y) : (vx - vy) * direction;
    });
    return { from: filter.from ?? null, to: filter.to ?? null, rows };
  }
}

const tie = (x: SignalRowView, y: SignalRowView): number =>
  x.pigmentId === y.pigmentId ? (x.category < y.category ? -1 : 1) : x.pigmentId < y.pigmentId ? -1 : 1;

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
