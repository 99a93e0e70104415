import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import { Representation, type Represent, type Represented } from '@smp/http';
import { ListSignalsQuery, type SignalList } from './list-signals.query.js';
import { ListSignalsRequestDto } from './list-signals.request.dto.js';

@ApiTags('signals')
@ApiBearerAuth()
@Controller('v1/signals')
@ApiProduces('application/json', 'text/csv')
export class ListSignalsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('regulator', 'admin')
  @ApiOperation({
    summary: 'Disproportionality signals per pigment batch × category',
    description:
      'a = reports of this pigment with this category, b = its other reports, c = this category with other pigments, d = the rest ' +
      '(reports naming a pigment, in the period). PRR with 95% CI, Yates χ² and the Evans criteria (PRR ≥ 2, χ² ≥ 4, a ≥ 3); ROR with ' +
      '95% CI (signal when the lower bound > 1); IC with IC025 (signal when IC025 > 0). Sorted by the value asked for (rows ' +
      'without one last, ties by pigment and category), a page at a time: `limit` rows (100 unless given, at most 1,000), and ' +
      '`nextCursor` for the next page; `totalRows` counts them all.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        from: null,
        to: null,
        totalRows: 1400,
        nextCursor: 'WzcuNDMsIlBJRy0wMDAwNCIsImFsbGVyZ2ljX3JlYWN0aW9uIl0',
        rows: [
          {
            pigmentId: 'PIG-00004',
            manufacturer: 'Scalp Ink Co',
            product: 'Midnight',
            batch: 'B-2026-07',
            category: 'allergic_reaction',
            a: 31,
            b: 40,
            c: 52,
            d: 1877,
            prr: { value: 7.43, ci95: { lower: 5.1, upper: 10.8 }, chi2: 118.2, evans: true },
            ror: { value: 13.2, ci95: { lower: 7.9, upper: 22.1 }, signal: true },
            ic: { value: 2.6, ic025: 2.1, signal: true },
            signals: ['evans', 'ror', 'ic'],
          },
        ],
      },
    },
  })
  async list(@Query() filter: ListSignalsRequestDto, @Representation() represent: Represent): Promise<Represented<SignalList>> {
    return represent(await this.queries.execute(new ListSignalsQuery(filter)));
  }
}
