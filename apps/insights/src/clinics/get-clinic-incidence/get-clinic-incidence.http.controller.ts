import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { GetClinicIncidenceQuery, type ClinicIncidence } from './get-clinic-incidence.query.js';
import { ClinicIdParamDto, GetClinicIncidenceRequestDto } from './get-clinic-incidence.request.dto.js';

@Controller('v1/clinics')
export class GetClinicIncidenceHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** For the clinic's own key, a regulator's or an admin's. */
  @Get(':clinicId/incidence')
  @Roles('clinic', 'regulator', 'admin')
  incidence(
    @Param() { clinicId }: ClinicIdParamDto,
    @Query() query: GetClinicIncidenceRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ClinicIncidence> {
    assertClinicAccess(principal, clinicId);
    return this.queries.execute(new GetClinicIncidenceQuery(clinicId, query.from, query.to, query.category));
  }
}
