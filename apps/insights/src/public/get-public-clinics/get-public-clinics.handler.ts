import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { ClinicMonths } from '../../read-model/clinic-months.js';
import { compareText, pageOf, type CursorKey, type CursorShape } from '../../read-model/paging.js';
import { publicTable, type PublicTable } from '../public-table.js';
import { yearOf } from '../public-year.dto.js';
import { GetPublicClinicsQuery, type PublicClinicLabels, type PublicClinics } from './get-public-clinics.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/** Every registered clinic's reports per category and procedures in one calendar year, with small cells withheld. */
@QueryHandler(GetPublicClinicsQuery)
export class GetPublicClinicsHandler implements IQueryHandler<GetPublicClinicsQuery, Answer<PublicClinics>> {
  constructor(
    private readonly months: ClinicMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPublicClinicsQuery): Promise<Answer<PublicClinics>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute({ year, page }: GetPublicClinicsQuery): Promise<PublicClinics> {
    const { suppression, network, rows } = await this.table(year);
    return { year, suppression, network, ...pageOf(rows, page, CLINIC_ORDER, (row) => row) };
  }

  /**
   * The year's whole table, suppressed as a whole (a page is a slice of it, so pages reveal nothing the table does not),
   * kept like the answers until the read models change (its computation, the suppression of a thousand clinics, takes a
   * few hundred milliseconds; held per year it would outlive most changes, but a megabyte a year on the heap is more
   * than the memory budget has room for). Do not change the result.
   */
  private table(year: number): Promise<PublicTable<PublicClinicLabels>> {
    return this.cache.part(
      `public-clinics\u0000${year}`,
      async () => {
        const { from, to } = yearOf({ year });
        const [window, directory] = await Promise.all([this.months.window({ from, to }), this.months.directory()]);
        const clinics = [...directory].sort(
          ([xId, x], [yId, y]) => compareText(x.country, y.country) || compareText(x.name, y.name) || compareText(xId, yId),
        );
        return publicTable(
          clinics.map(([clinicId, { name, country }]) => {
            const tally = window.tally(clinicId);
            return {
              labels: { clinicId, name, country },
              procedures: tally?.procedures ?? 0,
              reports: Object.fromEntries(SIDE_EFFECT_CATEGORIES.map((category) => [category, tally?.reports(category) ?? 0])),
            };
          }),
        );
      },
      (table) => table.rows.length * BYTES_PER_ROW + 2_000,
    );
  }
}

/** A public row's heap (labels, seven figures with their reasons), for the cache's budget: 1,065 B measured for 1,000 clinics. */
const BYTES_PER_ROW = 1_100;

/** Rows by country, name and clinic id: the cursor carries the three. */
const CLINIC_ORDER = {
  keyOf: (row: PublicClinicLabels): CursorKey => [row.country, row.name, row.clinicId],
  compare: (x: CursorKey, y: CursorKey): number =>
    compareText(x[0] as string, y[0] as string) ||
    compareText(x[1] as string, y[1] as string) ||
    compareText(x[2] as string, y[2] as string),
  shape: ['string', 'string', 'string'] as CursorShape,
};
