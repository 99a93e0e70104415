import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@smp/auth';
import { FOLLOW_UP_TOKEN_HEADER } from '../../cases/case-access.js';
import { CaseIdParamDto } from '../case-id.param.dto.js';
import { FollowUpReportCommand, type CaseVersionResult } from './follow-up-report.command.js';
import { FollowUpReportRequestDto } from './follow-up-report.request.dto.js';

@ApiTags('reports')
@Controller('v1/reports')
export class FollowUpReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** By the case's follow-up token (X-Follow-Up-Token), a key of its clinic, or an admin. */
  @Post(':caseId/follow-ups')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add what happened next to a case',
    description:
      'A new version: side effects added, updated or withdrawn, outcome and medical information. Seriousness and the deadline are recomputed.',
  })
  @ApiParam({ name: 'caseId', example: 'SMP-2026-000042' })
  @ApiHeader({ name: 'X-Follow-Up-Token', required: false, description: 'The token given at submission, when no API key is used.' })
  @ApiBody({
    type: FollowUpReportRequestDto,
    examples: {
      worse: {
        summary: 'It got worse and a doctor saw it',
        value: {
          outcome: 'not_recovered',
          addEffects: [{ category: 'scarring', onsetDate: '2026-10-20', severity: 'moderate', persistent: true }],
          medicalInformation: 'Dermatologist confirmed hypertrophic scarring.',
        },
      },
      withdrawn: {
        summary: 'A side effect turned out not to be one',
        value: { withdrawCategories: ['inflammation'], outcome: 'recovered' },
      },
    },
  })
  @ApiResponse({
    status: 201,
    description: 'The new version.',
    schema: {
      example: {
        caseId: 'SMP-2026-000042',
        version: 2,
        serious: true,
        seriousReasons: ['infection', 'significant_disfigurement'],
        reportingDueBy: '2026-11-12',
        nullified: false,
      },
    },
  })
  @ApiResponse({ status: 404, description: 'No such case, or not yours.' })
  @ApiResponse({ status: 409, description: 'The case was nullified.' })
  @ApiResponse({ status: 422, description: 'The follow-up does not fit the case (e.g. withdrawing a side effect it does not have).' })
  followUp(
    @Param() { caseId }: CaseIdParamDto,
    @Body() body: FollowUpReportRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Headers(FOLLOW_UP_TOKEN_HEADER) followUpToken?: string,
  ): Promise<CaseVersionResult> {
    return this.commands.execute(new FollowUpReportCommand(caseId, body, principal, followUpToken));
  }
}
