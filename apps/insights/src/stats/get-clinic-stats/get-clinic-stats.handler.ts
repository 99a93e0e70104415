import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { ClinicFunnels, pointAt } from '../../read-model/clinic-funnels.js';
import { compareText, pageOf, type CursorKey, type CursorShape } from '../../read-model/paging.js';
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
    // The rows, funnel by funnel (category order) and clinic by clinic (id order), as positions: a point is made only for
    // the rows of the page. One category's answer lists the clinics with a row of that category, all categories' all.
    const rows: number[] = [];
    funnels.forEach((funnel, f) => {
      for (let i = 0; i < funnel.clinics.ids.length; i++)
        if (filter.category === undefined || funnel.clinics.inCategory[i] === 1) rows.push(f * ROW_BASE + i);
    });
    const funnelOf = (row: number) => funnels[Math.floor(row / ROW_BASE)]!;
    const page = pageOf(
      rows,
      filter,
      { keyOf: (row) => [funnelOf(row).category, funnelOf(row).clinics.ids[row % ROW_BASE]!], compare: compareRows, shape: CLINIC_CURSOR },
      (row) => pointAt(funnelOf(row), row % ROW_BASE),
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

/** A row's position: its funnel × ROW_BASE + its clinic's position in the funnel. */
const ROW_BASE = 2 ** 24;

/** A clinic-stats cursor: the category and the clinic of the last row. */
const CLINIC_CURSOR: CursorShape = ['string', 'string'];

const CATEGORY_ORDER = new Map<string, number>(SIDE_EFFECT_CATEGORIES.map((category, i) => [category, i]));

/** Categories in their funnels' order (a category no longer known sorts first), then clinic ids. */
const compareRows = (x: CursorKey, y: CursorKey): number =>
  (CATEGORY_ORDER.get(x[0] as string) ?? -1) - (CATEGORY_ORDER.get(y[0] as string) ?? -1) || compareText(x[1] as string, y[1] as string);
