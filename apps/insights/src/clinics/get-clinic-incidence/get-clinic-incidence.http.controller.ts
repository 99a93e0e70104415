import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { GetClinicIncidenceQuery, type ClinicIncidence } from './get-clinic-incidence.query.js';
import { ClinicIdParamDto } from '@smp/http';
import { GetClinicIncidenceRequestDto } from './get-clinic-incidence.request.dto.js';

@ApiTags('clinics')
@ApiBearerAuth()
@Controller('v1/clinics')
export class GetClinicIncidenceHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** For the clinic's own key, a regulator's or an admin's. */
  @Get(':clinicId/incidence')
  @Roles('clinic', 'regulator', 'admin')
  @ApiOperation({ summary: "A clinic's reports per category and procedure month" })
  @ApiParam({ name: 'clinicId', example: 'CLN-00001' })
  @ApiQuery({ name: 'from', required: false, example: '2026-01', description: 'First procedure month, YYYY-MM' })
  @ApiQuery({ name: 'to', required: false, example: '2026-12', description: 'Last procedure month, YYYY-MM' })
  @ApiQuery({ name: 'category', required: false, example: 'infection' })
  @ApiResponse({
    status: 200,
    description: 'Counts per month and category.',
    schema: {
      example: {
        clinicId: 'CLN-00001',
        from: '2026-01',
        to: '2026-12',
        rows: [{ month: '2026-09', category: 'infection', reports: 3, serious: 3 }],
      },
    },
  })
  incidence(
    @Param() { clinicId }: ClinicIdParamDto,
    @Query() query: GetClinicIncidenceRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClinicIncidence> {
    assertClinicAccess(principal, clinicId);
    return this.queries.execute(new GetClinicIncidenceQuery(clinicId, query.from, query.to, query.category));
  }
}
