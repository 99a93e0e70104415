import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@smp/auth';
import { FOLLOW_UP_TOKEN_HEADER } from '../../cases/case-access.js';
import type { CaseVersionResult } from '../follow-up-report/follow-up-report.command.js';
import { CaseIdParamDto } from '../case-id.param.dto.js';
import { NullifyReportCommand } from './nullify-report.command.js';
import { NullifyReportRequestDto } from './nullify-report.request.dto.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class NullifyReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** For the case's clinic or an admin; the reporter (follow-up token) may withdraw their own report. */
  @Post(':caseId/nullification')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Nullify a duplicate or erroneous case',
    description: 'A new version that takes the case out of every count; earlier versions are kept.',
  })
  @ApiParam({ name: 'caseId', example: 'SMP-2026-000043' })
  @ApiHeader({
    name: 'X-Follow-Up-Token',
    required: false,
    description: 'Lets the reporter withdraw their own report (reason withdrawn_by_reporter).',
  })
  @ApiBody({
    type: NullifyReportRequestDto,
    examples: { duplicate: { summary: 'Reported twice', value: { reason: 'duplicate', duplicateOf: 'SMP-2026-000042' } } },
  })
  @ApiResponse({
    status: 201,
    description: 'The nullifying version.',
    schema: {
      example: { caseId: 'SMP-2026-000043', version: 2, serious: false, seriousReasons: [], reportingDueBy: null, nullified: true },
    },
  })
  @ApiResponse({ status: 404, description: 'No such case, or not yours.' })
  nullify(
    @Param() { caseId }: CaseIdParamDto,
    @Body() body: NullifyReportRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Headers(FOLLOW_UP_TOKEN_HEADER) followUpToken?: string,
  ): Promise<CaseVersionResult> {
    return this.commands.execute(new NullifyReportCommand(caseId, body, principal, followUpToken));
  }
}
