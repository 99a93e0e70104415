import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { ClinicIdParamDto } from '@smp/http';
import { RecordProceduresCommand, type RecordedProcedures } from './record-procedures.command.js';
import { RecordProceduresRequestDto } from './record-procedures.request.dto.js';

@ApiTags('procedures')
@ApiBearerAuth()
@Controller('v1/clinics')
export class RecordProceduresHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** For the clinic's own key or an admin; up to 1,000 entries, each answered with a procedureRef for the client. */
  @Post(':clinicId/procedures')
  @HttpCode(201)
  @Roles('clinic', 'admin')
  @ApiOperation({
    summary: 'Record procedures performed (the denominators)',
    description: 'Up to 1,000 entries per call; each gets a procedureRef to hand to the client.',
  })
  @ApiParam({ name: 'clinicId', example: 'CLN-00001' })
  @ApiBody({
    type: RecordProceduresRequestDto,
    examples: {
      week: {
        summary: 'Two days of work',
        value: {
          procedures: [
            { date: '2026-09-10', pigmentId: 'PIG-00001', count: 4, sessionNumber: 1 },
            { date: '2026-09-11', pigmentId: 'PIG-00001', count: 2 },
          ],
        },
      },
    },
  })
  @ApiResponse({
    status: 201,
    description: 'The entries with their references.',
    schema: {
      example: {
        clinicId: 'CLN-00001',
        procedures: [{ date: '2026-09-10', pigmentId: 'PIG-00001', count: 4, sessionNumber: 1, procedureRef: 'PR-7KQ2M9XHTA' }],
      },
    },
  })
  @ApiResponse({ status: 422, description: 'A pigment is not registered; nothing was recorded.' })
  record(
    @Param() { clinicId }: ClinicIdParamDto,
    @Body() body: RecordProceduresRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecordedProcedures> {
    assertClinicAccess(principal, clinicId);
    return this.commands.execute(new RecordProceduresCommand(clinicId, body.procedures));
  }
}
