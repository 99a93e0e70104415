import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CurrentPrincipal, type Principal } from '@smp/auth';
import { FOLLOW_UP_TOKEN_HEADER } from '../../cases/case-access.js';
import { CaseIdParamDto } from '../case-id.param.dto.js';
import { FollowUpReportCommand, type CaseVersionResult } from './follow-up-report.command.js';
import { FollowUpReportRequestDto } from './follow-up-report.request.dto.js';

@Controller('v1/reports')
export class FollowUpReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** By the case's follow-up token (X-Follow-Up-Token), a key of its clinic, or an admin. */
  @Post(':caseId/follow-ups')
  @HttpCode(201)
  followUp(
    @Param() { caseId }: CaseIdParamDto,
    @Body() body: FollowUpReportRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Headers(FOLLOW_UP_TOKEN_HEADER) followUpToken?: string,
  ): Promise<CaseVersionResult> {
    return this.commands.execute(new FollowUpReportCommand(caseId, body, principal, followUpToken));
  }
}
