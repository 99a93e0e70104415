import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { namedSignals, type PigmentSignal } from '@smp/read-models';
import { signalRows } from '@smp/statistics';
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
    const only = filter.category ? SIDE_EFFECT_CATEGORIES.indexOf(filter.category) : -1;
    const signals = namedSignals(
      signalRows({ subjects, categories: SIDE_EFFECT_CATEGORIES, counts }, only < 0 ? undefined : (_, category) => category === only),
      names,
    );
    const signalling = filter.signalling;
    const rows = signals
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
