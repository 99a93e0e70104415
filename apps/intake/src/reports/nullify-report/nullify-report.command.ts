import { Command } from '@nestjs/cqrs';
import type { Principal } from '@smp/auth';
import type { CaseVersionResult } from '../follow-up-report/follow-up-report.command.js';
import type { NullifyReportRequestDto } from './nullify-report.request.dto.js';

export class NullifyReportCommand extends Command<CaseVersionResult> {
  constructor(
    readonly caseId: string,
    readonly request: NullifyReportRequestDto,
    readonly principal: Principal,
    readonly followUpToken?: string,
  ) {
    super();
  }
}
