import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CurrentPrincipal, type Principal } from '@smp/auth';
import { SubmitReportCommand, type SubmittedReport } from './submit-report.command.js';
import { SubmitReportRequestDto } from './submit-report.request.dto.js';

@Controller('v1/reports')
export class SubmitReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  submit(@Body() body: SubmitReportRequestDto, @CurrentPrincipal() principal: Principal): Promise<SubmittedReport> {
    return this.commands.execute(new SubmitReportCommand(body, principal));
  }
}
