import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import { SIDE_EFFECT_CATEGORIES } from '@smp/domain';
import { PigmentMonths } from '../../read-model/pigment-months.js';
import { publicTable } from '../public-table.js';
import { yearOf } from '../public-year.dto.js';
import { GetPublicPigmentsQuery, type PublicPigments } from './get-public-pigments.query.js';
import { ReadModelCache, cacheKey } from '../../read-model/read-model-cache.js';

/**
 * Reports per category and procedures per pigment product (manufacturer and
 * product, batches pooled: batches are too small to publish) in one calendar
 * year, with small cells withheld.
 */
@QueryHandler(GetPublicPigmentsQuery)
export class GetPublicPigmentsHandler implements IQueryHandler<GetPublicPigmentsQuery, Answer<PublicPigments>> {
  constructor(
    private readonly pigments: PigmentMonths,
    private readonly cache: ReadModelCache,
  ) {}

  execute(query: GetPublicPigmentsQuery): Promise<Answer<PublicPigments>> {
    return this.cache.get(cacheKey(query), () => this.compute(query));
  }

  private async compute(query: GetPublicPigmentsQuery): Promise<PublicPigments> {
    const { year, from, to } = yearOf(query);
    const [pigments, directory] = await Promise.all([this.pigments.window({ from, to }), this.pigments.directory()]);
    // Every registered product, with or without figures this year.
    const products = new Map<string, { manufacturer: string; product: string; procedures: number; reports: Record<string, number> }>();
    const productOf = ({ manufacturer, product }: { manufacturer: string; product: string }) => {
      const key = `${manufacturer}\u0000${product}`;
      let found = products.get(key);
      if (!found) products.set(key, (found = { manufacturer, product, procedures: 0, reports: {} }));
      return found;
    };
    for (const pigment of directory.values()) productOf(pigment);
    for (const { pigmentId, tally } of pigments) {
      const pigment = directory.get(pigmentId);
      if (!pigment) continue;
      const product = productOf(pigment);
      product.procedures += tally.procedures;
      for (const category of SIDE_EFFECT_CATEGORIES) product.reports[category] = (product.reports[category] ?? 0) + tally.reports(category);
    }
    const sorted = [...products].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, product]) => product);
    const table = publicTable(
      sorted.map((row) => ({
        labels: { manufacturer: row.manufacturer, product: row.product },
        procedures: row.procedures,
        reports: row.reports,
      })),
    );
    return { year, ...table };
  }
}
