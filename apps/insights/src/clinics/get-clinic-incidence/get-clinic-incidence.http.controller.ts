import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetClinicIncidenceQuery, type ClinicIncidence } from './get-clinic-incidence.query.js';
import { ClinicIdParamDto, GetClinicIncidenceRequestDto } from './get-clinic-incidence.request.dto.js';

@Controller('v1/clinics')
export class GetClinicIncidenceHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':clinicId/incidence')
  incidence(@Param() { clinicId }: ClinicIdParamDto, @Query() query: GetClinicIncidenceRequestDto): Promise<ClinicIncidence> {
    return this.queries.execute(new GetClinicIncidenceQuery(clinicId, query.from, query.to, query.category));
  }
}
