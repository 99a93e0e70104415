import { Command } from '@nestjs/cqrs';
import type { SubmitReportRequestDto } from './submit-report.request.dto.js';

export interface SubmittedReport {
  caseId: string;
  version: number;
}

export class SubmitReportCommand extends Command<SubmittedReport> {
  constructor(readonly report: SubmitReportRequestDto) {
    super();
  }
}
