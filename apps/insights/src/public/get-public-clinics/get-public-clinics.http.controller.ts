import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, IntersectionType } from '@nestjs/swagger';
import { Representation, type Represent, type Represented } from '@smp/http';
import { PageRequestDto } from '../../read-model/paging.js';
import { PublicYearDto, yearOf } from '../public-year.dto.js';
import { GetPublicClinicsQuery, type PublicClinics } from './get-public-clinics.query.js';

/** The year, and the page of clinics (they come a page at a time: see PageRequestDto). */
class PublicClinicsRequestDto extends IntersectionType(PublicYearDto, PageRequestDto) {}

@ApiTags('public')
@Controller('v1/public/clinics')
@ApiProduces('application/json', 'text/csv')
export class GetPublicClinicsHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** Open to everyone: no key needed. */
  @Get()
  @ApiOperation({
    summary: 'Safety figures per clinic, for people choosing a clinic (no key needed)',
    description:
      "Reports per category and per 1,000 procedures. A report naming several categories counts in each, so a row's and the " +
      "network's `reports` count complications reported (the sum of their categories), not distinct reports. Counts from 1 to 10 are withheld (null, with the reason), and so is " +
      'every rate built on one, and enough other figures that no withheld one can be worked out from the totals. Per calendar ' +
      'year only: overlapping periods could be subtracted from each other. Clinics by country, name and id, a page at a time: ' +
      '`limit` rows (100 unless given, at most 1,000) and `nextCursor` for the next page; `totalRows` counts them all. The ' +
      "suppression is decided over the whole year's table, so no page shows what the whole table withholds.",
  })
  @ApiOkResponse({
    schema: {
      example: {
        year: 2026,
        totalRows: 1000,
        nextCursor: 'WyJHQiIsIkNyb3duIFNjYWxwIFN0dWRpbyIsIkNMTi0wMDAwMSJd',
        suppression: { threshold: { min: 1, max: 10 }, complementary: true, explanation: 'Counts from 1 to 10 are withheld…' },
        rows: [
          {
            clinicId: 'CLN-00001',
            name: 'Crown Scalp Studio',
            country: 'GB',
            procedures: 1840,
            reports: 37,
            ratePer1000: 20.109,
            categories: {
              inflammation: { reports: 22, ratePer1000: 11.957, suppressed: null },
              infection: { reports: null, ratePer1000: null, suppressed: 'small_count' },
            },
            suppressed: {},
          },
        ],
        network: { procedures: 52000, reports: 890, ratePer1000: 17.115, categories: {}, suppressed: {} },
      },
    },
  })
  async clinics(@Query() filter: PublicClinicsRequestDto, @Representation() represent: Represent): Promise<Represented<PublicClinics>> {
    return represent(
      await this.queries.execute(new GetPublicClinicsQuery(yearOf(filter).year, { limit: filter.limit, cursor: filter.cursor })),
    );
  }
}
