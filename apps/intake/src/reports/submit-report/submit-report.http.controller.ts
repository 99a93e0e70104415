import { Body, Controller, Headers, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@smp/auth';
import { ProblemError } from '@smp/http';
import { AnonymousRateLimitGuard } from './anonymous-rate-limit.guard.js';
import { SubmitReportCommand, type SubmittedReport } from './submit-report.command.js';
import { SubmitReportRequestDto } from './submit-report.request.dto.js';

@ApiTags('reports')
@Controller('v1/reports')
export class SubmitReportHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** Open to anonymous clients (rate-limited per IP) and to API keys. */
  @Post()
  @HttpCode(201)
  @UseGuards(AnonymousRateLimitGuard)
  @ApiOperation({
    summary: 'Report a complication',
    description:
      'Anonymous (rate-limited per IP) or with an API key. Give clinicId and procedureDate, or the procedureRef the clinic handed out.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes a retry safe: the same key and body return the first answer.',
  })
  @ApiBody({
    type: SubmitReportRequestDto,
    examples: {
      client: {
        summary: 'A client reports an infection',
        value: {
          clinicId: 'CLN-00001',
          procedureDate: '2026-09-10',
          reporter: { type: 'client', contact: { email: 'client@example.org' } },
          patient: { ageYears: 34, sex: 'male', skinConditions: ['eczema'] },
          effects: [{ category: 'infection', onsetDate: '2026-09-14', severity: 'moderate' }],
          outcome: 'recovering',
          riskFactors: { aftercareFollowed: true, patchTestDone: false },
          narrative: 'Redness and pus on the crown four days after the session.',
        },
      },
      byReference: {
        summary: 'With the procedure reference from the clinic',
        value: {
          procedureRef: 'PR-7KQ2M9XHTA',
          reporter: { type: 'client' },
          effects: [{ category: 'discoloration', onsetDate: '2026-10-01', severity: 'mild', persistent: true }],
        },
      },
    },
  })
  @ApiResponse({
    status: 201,
    description: 'The case, its seriousness and the private follow-up token (shown once).',
    schema: {
      example: {
        caseId: 'SMP-2026-000042',
        version: 1,
        serious: true,
        seriousReasons: ['infection'],
        reportingDueBy: '2026-10-02',
        followUpToken: 'q3V8k1mZ0b2T9wXcY4sL7pN6rD5fH2jA',
      },
    },
  })
  @ApiResponse({ status: 400, description: 'Invalid input: problem details listing each bad field.' })
  @ApiResponse({
    status: 422,
    description: 'An unknown clinicId, pigmentId or procedureRef, or an Idempotency-Key reused with another body.',
  })
  @ApiResponse({ status: 429, description: 'Too many anonymous reports from this address; see Retry-After.' })
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
