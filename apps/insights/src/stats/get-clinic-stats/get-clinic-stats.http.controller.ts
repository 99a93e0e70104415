import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import { Representation, type Represent, type Represented } from '@smp/http';
import { ClinicStatsRequestDto } from './get-clinic-stats.request.dto.js';
import { GetClinicStatsQuery, type ClinicStats } from './get-clinic-stats.query.js';

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/stats/clinics')
@ApiProduces('application/json', 'text/csv')
export class GetClinicStatsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('regulator', 'admin')
  @ApiOperation({
    summary: 'The funnel plot data of every clinic, per category and period',
    description:
      "Each clinic's rate per 1,000 procedures with its Wilson interval, its overdispersion-adjusted z-score against the network " +
      'and its band (within, above_95, above_99_8, below_95, below_99_8); per category the network rate, φ, τ² and the limits to draw. ' +
      'Rows by category, then clinic id, a page at a time: `limit` rows (100 unless given, at most 1,000), and `nextCursor` for the ' +
      'next page; `totalRows` counts them all. The funnels come whole with every page.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        category: 'infection',
        from: '2026-01',
        to: '2026-12',
        country: null,
        totalRows: 1000,
        nextCursor: 'WyJpbmZlY3Rpb24iLCJDTE4tMDAwMDciXQ',
        funnels: [
          {
            category: 'infection',
            target: 0.0019,
            networkRatePer1000: 1.9,
            phi: 1.42,
            tau2: 0.0000012,
            overdispersed: true,
            limits: [{ procedures: 100, lower95: 0, upper95: 10.6, lower998: 0, upper998: 15.3 }],
          },
        ],
        rows: [
          {
            clinicId: 'CLN-00007',
            name: 'Crown Scalp Studio',
            country: 'GB',
            category: 'infection',
            procedures: 4120,
            reports: 21,
            ratePer1000: 5.097,
            ci95: { lower: 3.336, upper: 7.78 },
            z: 3.42,
            band: 'above_99_8',
          },
        ],
      },
    },
  })
  async stats(@Query() filter: ClinicStatsRequestDto, @Representation() represent: Represent): Promise<Represented<ClinicStats>> {
    return represent(await this.queries.execute(new GetClinicStatsQuery(filter)));
  }
}
