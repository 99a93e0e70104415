import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Representation, type Represent, type Represented } from '@smp/http';
import { PublicYearDto, yearOf } from '../public-year.dto.js';
import { GetPublicPigmentsQuery, type PublicPigments } from './get-public-pigments.query.js';

@ApiTags('public')
@Controller('v1/public/pigments')
@ApiProduces('application/json', 'text/csv')
export class GetPublicPigmentsHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** Open to everyone: no key needed. */
  @Get()
  @ApiOperation({
    summary: 'Safety figures per pigment product (no key needed)',
    description:
      'Reports per category and per 1,000 procedures done with the product, per calendar year. A report naming several ' +
      "categories counts in each, so a row's `reports` counts complications reported (the sum of its categories). Counts from 1 to 10 are withheld, " +
      'with every rate built on one and enough other figures that none can be worked out from the totals.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        year: 2026,
        suppression: { threshold: { min: 1, max: 10 }, complementary: true, explanation: 'Counts from 1 to 10 are withheld…' },
        rows: [
          {
            manufacturer: 'Scalp Ink Co',
            product: 'Midnight',
            procedures: 9100,
            reports: 140,
            ratePer1000: 15.385,
            categories: { allergic_reaction: { reports: 52, ratePer1000: 5.714, suppressed: null } },
            suppressed: {},
          },
        ],
        network: { procedures: 52000, reports: 890, ratePer1000: 17.115, categories: {}, suppressed: {} },
      },
    },
  })
  async pigments(@Query() filter: PublicYearDto, @Representation() represent: Represent): Promise<Represented<PublicPigments>> {
    return represent(await this.queries.execute(new GetPublicPigmentsQuery(yearOf(filter).year)));
  }
}
