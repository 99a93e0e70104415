import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ClinicFunnels, pointsOf } from '../../read-model/clinic-funnels.js';
import { periodOf } from '../../read-model/period.js';
import { GetClinicStatsQuery, type ClinicStats } from './get-clinic-stats.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

@QueryHandler(GetClinicStatsQuery)
export class GetClinicStatsHandler implements IQueryHandler<GetClinicStatsQuery, ClinicStats> {
  constructor(
    private readonly funnels: ClinicFunnels,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetClinicStatsQuery): Promise<ClinicStats> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ filter }: GetClinicStatsQuery): Promise<ClinicStats> {
    const funnels = await this.funnels.compute(periodOf(filter.from, filter.to), { category: filter.category, country: filter.country });
    return {
      category: filter.category ?? null,
      from: filter.from ?? null,
      to: filter.to ?? null,
      country: filter.country ?? null,
      funnels: funnels.map(({ clinics: _clinics, ...funnel }) => funnel),
      rows: funnels.flatMap((funnel) => pointsOf(funnel, filter.category !== undefined)),
    };
  }
}
