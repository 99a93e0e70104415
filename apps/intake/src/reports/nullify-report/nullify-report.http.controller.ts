import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import type { CaseVersionResult } from '../follow-up-report/follow-up-report.command.js';
import { CaseIdParamDto } from '../case-id.param.dto.js';
import { NullifyReportCommand } from './nullify-report.command.js';
import { NullifyReportRequestDto } from './nullify-report.request.dto.js';

@Controller('v1/reports')
export class NullifyReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** For the case's clinic or an admin. */
  @Post(':caseId/nullification')
  @HttpCode(201)
  @Roles('clinic', 'admin')
  nullify(
    @Param() { caseId }: CaseIdParamDto,
    @Body() body: NullifyReportRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CaseVersionResult> {
    return this.commands.execute(new NullifyReportCommand(caseId, body, principal));
  }
}
