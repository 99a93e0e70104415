import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { ClinicFunnels, pointOf, type FunnelInputs, type FunnelOutline } from '../../read-model/clinic-funnels.js';
import { compareText, pageOf, type CursorKey, type CursorShape, type SortedRows } from '../../read-model/paging.js';
import { periodOf } from '../../read-model/period.js';
import { GetClinicStatsQuery, type ClinicStats } from './get-clinic-stats.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

@QueryHandler(GetClinicStatsQuery)
export class GetClinicStatsHandler implements IQueryHandler<GetClinicStatsQuery, Answer<ClinicStats>> {
  constructor(
    private readonly funnels: ClinicFunnels,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetClinicStatsQuery): Promise<Answer<ClinicStats>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter }: GetClinicStatsQuery): Promise<ClinicStats> {
    const period = periodOf(filter.from, filter.to);
    const [outlines, inputs] = await Promise.all([
      this.funnels.outlines(period, { category: filter.category, country: filter.country }),
      this.funnels.inputs(period, filter.country),
    ]);
    const page = pageOf(
      answerRows(inputs, outlines, filter.category !== undefined),
      filter,
      { keyOf: ({ outline, i }) => [outline.summary.category, inputs.ids[i]!], compare: compareRows, shape: CLINIC_CURSOR },
      ({ outline, i }) => pointOf(inputs, i, outline),
    );
    return {
      category: filter.category ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      country: filter.country ?? null,
      funnels: outlines.map(({ summary }) => summary),
      ...page,
    };
  }
}

/** A row of the answer: a clinic (its position in the inputs) on a category's funnel. */
interface FunnelRow {
  outline: FunnelOutline;
  i: number;
}

/**
 * The answer's rows, funnel by funnel (category order) and clinic by clinic (id order), as a list that makes only the
 * rows read (a page and a binary search's, of thousands): one category's answer lists the clinics with a row of that
 * category, all categories' all. (perf: an array of every row's position was a sixth of what a computed answer
 * allocated.)
 */
function answerRows(inputs: FunnelInputs, outlines: readonly FunnelOutline[], oneCategory: boolean): SortedRows<FunnelRow> {
  const { values, offsets, layout } = inputs;
  // Per funnel, the positions listed (null: every clinic of the inputs), and the rows before it.
  const listed = outlines.map(({ summary }) => {
    if (!oneCategory) return null;
    const positions = new Int32Array(offsets.length);
    let count = 0;
    for (let i = 0; i < offsets.length; i++) if (layout.presentAt(values, offsets[i]!, summary.category)) positions[count++] = i;
    return positions.subarray(0, count);
  });
  const starts = [0];
  outlines.forEach((_outline, f) => starts.push(starts[f]! + (listed[f]?.length ?? offsets.length)));
  return {
    length: starts[outlines.length]!,
    at: (row) => {
      if (!(row >= 0 && row < starts[outlines.length]!)) return undefined;
      let f = 0;
      while (row >= starts[f + 1]!) f++;
      const within = row - starts[f]!;
      return { outline: outlines[f]!, i: listed[f]?.[within] ?? within };
    },
  };
}

/** A clinic-stats cursor: the category and the clinic of the last row. */
const CLINIC_CURSOR: CursorShape = ['string', 'string'];

const CATEGORY_ORDER = new Map<string, number>(SIDE_EFFECT_CATEGORIES.map((category, i) => [category, i]));

/** Categories in their funnels' order (a category no longer known sorts first), then clinic ids. */
const compareRows = (x: CursorKey, y: CursorKey): number =>
  (CATEGORY_ORDER.get(x[0] as string) ?? -1) - (CATEGORY_ORDER.get(y[0] as string) ?? -1) || compareText(x[1] as string, y[1] as string);
