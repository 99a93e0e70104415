import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { ClinicMonths } from '../../read-model/clinic-months.js';
import { publicTable } from '../public-table.js';
import { yearOf } from '../public-year.dto.js';
import { GetPublicClinicsQuery, type PublicClinics } from './get-public-clinics.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** Every registered clinic's reports per category and procedures in one calendar year, with small cells withheld. */
@QueryHandler(GetPublicClinicsQuery)
export class GetPublicClinicsHandler implements IQueryHandler<GetPublicClinicsQuery, PublicClinics> {
  constructor(
    private readonly months: ClinicMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPublicClinicsQuery): Promise<PublicClinics> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute(query: GetPublicClinicsQuery): Promise<PublicClinics> {
    const { year, from, to } = yearOf(query);
    const [window, directory] = await Promise.all([this.months.window({ from, to }), this.months.directory()]);
    const clinics = [...directory].sort(
      ([xId, x], [yId, y]) => compare(x.country, y.country) || compare(x.name, y.name) || compare(xId, yId),
    );
    const table = publicTable(
      clinics.map(([clinicId, { name, country }]) => {
        const tally = window.tally(clinicId);
        return {
          labels: { clinicId, name, country },
          procedures: tally?.procedures ?? 0,
          reports: Object.fromEntries(SIDE_EFFECT_CATEGORIES.map((category) => [category, tally?.reports(category) ?? 0])),
        };
      }),
    );
    return { year, ...table };
  }
}

const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
