import { Command } from '@nestjs/cqrs';
import type { Principal } from '@smp/auth';
import type { SeriousReason } from '@smp/domain';
import type { SubmitReportRequestDto } from './submit-report.request.dto.js';

export interface SubmittedReport {
  caseId: string;
  version: number;
  serious: boolean;
  seriousReasons: SeriousReason[];
  /** YYYY-MM-DD, or null when the case is not serious. */
  reportingDueBy: string | null;
  /** Shown once; only its hash is stored. */
  followUpToken: string;
}

export class SubmitReportCommand extends Command<SubmittedReport> {
  constructor(
    readonly report: SubmitReportRequestDto,
    readonly principal: Principal,
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}
