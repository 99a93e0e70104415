import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { reportRuleViolations, seriousReasons, todayUtc } from '@smp/domain';
import { ProblemError } from '@smp/http';
import { CaseRepository } from '../../cases/case.repository.js';
import { ReportSubmittedEvent } from './report-submitted.event.js';
import { SubmitReportCommand, type SubmittedReport } from './submit-report.command.js';

@CommandHandler(SubmitReportCommand)
export class SubmitReportHandler implements ICommandHandler<SubmitReportCommand, SubmittedReport> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ report }: SubmitReportCommand): Promise<SubmittedReport> {
    const violations = reportRuleViolations(report, todayUtc());
    if (violations.length > 0) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'One or more fields are invalid.', violations);
    }
    const serious = seriousReasons({ effects: report.effects }).length > 0;
    const stored = await this.cases.openCase({ ...report, serious });
    this.events.publish(new ReportSubmittedEvent(stored.caseId));
    return stored;
  }
}
