import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { ClinicIdParamDto } from '../../registry/clinic-id.param.dto.js';
import { RecordProceduresCommand, type RecordedProcedures } from './record-procedures.command.js';
import { RecordProceduresRequestDto } from './record-procedures.request.dto.js';

@Controller('v1/clinics')
export class RecordProceduresHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** For the clinic's own key or an admin; up to 1,000 entries, each answered with a procedureRef for the client. */
  @Post(':clinicId/procedures')
  @HttpCode(201)
  @Roles('clinic', 'admin')
  record(
    @Param() { clinicId }: ClinicIdParamDto,
    @Body() body: RecordProceduresRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecordedProcedures> {
    assertClinicAccess(principal, clinicId);
    return this.commands.execute(new RecordProceduresCommand(clinicId, body.procedures));
  }
}
