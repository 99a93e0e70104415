import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import { Representation, type Represent, type Represented } from '@smp/http';
import { GetPigmentStatsQuery, type PigmentStats } from './get-pigment-stats.query.js';
import { GetPigmentStatsRequestDto } from './get-pigment-stats.request.dto.js';

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/stats/pigments')
@ApiProduces('application/json', 'text/csv')
export class GetPigmentStatsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('regulator', 'admin')
  @ApiOperation({
    summary: 'Reports, procedures and rates per pigment manufacturer, product or batch',
    description:
      'Per group × category (× procedure month with byMonth=true): rate per 1,000 procedures done with that pigment, Wilson 95% interval. ' +
      'Rows by group, month and category, a page at a time: `limit` rows (100 unless given, at most 1,000) and `nextCursor` for ' +
      'the next page; `totalRows` counts them all.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        groupBy: 'batch',
        from: null,
        to: null,
        totalRows: 1400,
        nextCursor: null,
        rows: [
          {
            manufacturer: 'Scalp Ink Co',
            product: 'Midnight',
            batch: 'B-2026-07',
            pigmentId: 'PIG-00004',
            category: 'allergic_reaction',
            procedures: 2400,
            reports: 31,
            serious: 4,
            ratePer1000: 12.917,
            ci95: { lower: 9.11, upper: 18.29 },
          },
        ],
      },
    },
  })
  async stats(@Query() filter: GetPigmentStatsRequestDto, @Representation() represent: Represent): Promise<Represented<PigmentStats>> {
    return represent(await this.queries.execute(new GetPigmentStatsQuery(filter)));
  }
}
