import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CurrentPrincipal, type Principal } from '@smp/auth';
import { ProblemError } from '@smp/http';
import { AnonymousRateLimitGuard } from './anonymous-rate-limit.guard.js';
import { SubmitReportCommand, type SubmittedReport } from './submit-report.command.js';
import { SubmitReportRequestDto } from './submit-report.request.dto.js';

@Controller('v1/reports')
export class SubmitReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** Open to anonymous clients (rate-limited per IP) and to API keys. */
  @Post()
  @HttpCode(201)
  @UseGuards(AnonymousRateLimitGuard)
  submit(
    @Body() body: SubmitReportRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<SubmittedReport> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'The Idempotency-Key header is malformed.', [
        { field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-200 visible ASCII characters' },
      ]);
    }
    return this.commands.execute(new SubmitReportCommand(body, principal, idempotencyKey));
  }
}
