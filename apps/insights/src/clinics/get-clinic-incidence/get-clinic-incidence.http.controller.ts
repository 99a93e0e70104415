import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { GetClinicIncidenceQuery, type ClinicIncidence } from './get-clinic-incidence.query.js';
import { ClinicIdParamDto, Representation, type Represent, type Represented } from '@smp/http';
import { GetClinicIncidenceRequestDto } from './get-clinic-incidence.request.dto.js';

@ApiTags('clinics')
@ApiBearerAuth()
@Controller('v1/clinics')
@ApiProduces('application/json', 'text/csv')
export class GetClinicIncidenceHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** For the clinic's own key, a regulator's or an admin's. */
  @Get(':clinicId/incidence')
  @Roles('clinic', 'regulator', 'admin')
  @ApiOperation({
    summary: "A clinic's rates per category and procedure month, beside the network's, and its place on the network funnel",
    description:
      'Rates are reports per 1,000 procedures of the same procedure month, with 95% Wilson intervals. `funnel` places the clinic ' +
      'among all clinics over the period (Spiegelhalter limits with the overdispersion adjustment). `Accept: text/csv` gives `rows` as CSV.',
  })
  @ApiParam({ name: 'clinicId', example: 'CLN-00001' })
  @ApiQuery({ name: 'from', required: false, example: '2026-01', description: 'First procedure month, YYYY-MM' })
  @ApiQuery({ name: 'to', required: false, example: '2026-12', description: 'Last procedure month, YYYY-MM' })
  @ApiQuery({ name: 'category', required: false, example: 'infection' })
  @ApiResponse({
    status: 200,
    description: 'Rates per month and category, and the funnel position per category.',
    schema: {
      example: {
        clinicId: 'CLN-00001',
        from: '2026-01',
        to: '2026-12',
        rows: [
          {
            month: '2026-09',
            category: 'infection',
            procedures: 412,
            reports: 3,
            serious: 3,
            ratePer1000: 7.282,
            ci95: { lower: 2.478, upper: 21.186 },
            networkRatePer1000: 1.9,
          },
        ],
        funnel: [
          {
            category: 'infection',
            procedures: 4120,
            reports: 21,
            ratePer1000: 5.097,
            networkRatePer1000: 1.9,
            z: 3.42,
            band: 'above_99_8',
          },
        ],
      },
    },
  })
  async incidence(
    @Param() { clinicId }: ClinicIdParamDto,
    @Query() query: GetClinicIncidenceRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Representation() represent: Represent,
  ): Promise<Represented<ClinicIncidence>> {
    assertClinicAccess(principal, clinicId);
    return represent(await this.queries.execute(new GetClinicIncidenceQuery(clinicId, query.from, query.to, query.category)));
  }
}
