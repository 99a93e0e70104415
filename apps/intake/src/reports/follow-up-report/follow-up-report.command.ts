import { Command } from '@nestjs/cqrs';
import type { Principal } from '@smp/auth';
import type { SeriousReason } from '@smp/domain';
import type { FollowUpReportRequestDto } from './follow-up-report.request.dto.js';

export interface CaseVersionResult {
  caseId: string;
  version: number;
  serious: boolean;
  seriousReasons: SeriousReason[];
  reportingDueBy: string | null;
  nullified: boolean;
}

export class FollowUpReportCommand extends Command<CaseVersionResult> {
  constructor(
    readonly caseId: string,
    readonly followUp: FollowUpReportRequestDto,
    readonly principal: Principal,
    readonly followUpToken: string | undefined,
  ) {
    super();
  }
}
