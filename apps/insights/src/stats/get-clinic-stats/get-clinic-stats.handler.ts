import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { ClinicFunnels, pointAt, type CategoryFunnel } from '../../read-model/clinic-funnels.js';
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
    const funnels = await this.funnels.compute(periodOf(filter.from, filter.to), { category: filter.category, country: filter.country });
    const page = pageOf(
      answerRows(funnels, filter.category !== undefined),
      filter,
      { keyOf: ({ funnel, i }) => [funnel.category, funnel.clinics.ids[i]!], compare: compareRows, shape: CLINIC_CURSOR },
      ({ funnel, i }) => pointAt(funnel, i),
    );
    return {
      category: filter.category ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      country: filter.country ?? null,
      funnels: funnels.map(({ clinics: _clinics, scale: _scale, ...funnel }) => funnel),
      ...page,
    };
  }
}

/** A row of the answer: a clinic's position in a funnel. */
interface FunnelRow {
  funnel: CategoryFunnel;
  i: number;
}

/**
 * The answer's rows, funnel by funnel (category order) and clinic by clinic (id order), as a list that makes only the
 * rows read (a page and a binary search's, of thousands): one category's answer lists the clinics with a row of that
 * category, all categories' all. (perf: an array of every row's position was a sixth of what a computed answer
 * allocated.)
 */
function answerRows(funnels: readonly CategoryFunnel[], oneCategory: boolean): SortedRows<FunnelRow> {
  // Per funnel, the positions listed (null: all of its clinics), and the rows before it.
  const listed = funnels.map((funnel) => {
    if (!oneCategory) return null;
    const { inCategory } = funnel.clinics;
    const positions = new Int32Array(inCategory.length);
    let count = 0;
    for (let i = 0; i < inCategory.length; i++) if (inCategory[i] === 1) positions[count++] = i;
    return positions.subarray(0, count);
  });
  const starts = [0];
  funnels.forEach((funnel, f) => starts.push(starts[f]! + (listed[f]?.length ?? funnel.clinics.ids.length)));
  return {
    length: starts[funnels.length]!,
    at: (row) => {
      if (!(row >= 0 && row < starts[funnels.length]!)) return undefined;
      let f = 0;
      while (row >= starts[f + 1]!) f++;
      const within = row - starts[f]!;
      return { funnel: funnels[f]!, i: listed[f]?.[within] ?? within };
    },
  };
}

/** A clinic-stats cursor: the category and the clinic of the last row. */
const CLINIC_CURSOR: CursorShape = ['string', 'string'];

const CATEGORY_ORDER = new Map<string, number>(SIDE_EFFECT_CATEGORIES.map((category, i) => [category, i]));

/** Categories in their funnels' order (a category no longer known sorts first), then clinic ids. */
const compareRows = (x: CursorKey, y: CursorKey): number =>
  (CATEGORY_ORDER.get(x[0] as string) ?? -1) - (CATEGORY_ORDER.get(y[0] as string) ?? -1) || compareText(x[1] as string, y[1] as string);
