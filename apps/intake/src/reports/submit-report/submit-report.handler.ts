import { createHash, randomBytes } from 'node:crypto';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { SERIOUS_REPORTING_BUSINESS_DAYS, addBusinessDays, reportRuleViolations, seriousReasons, todayUtc } from '@smp/domain';
import { assertClinicAccess } from '@smp/auth';
import { ProblemError } from '@smp/http';
import { CaseRepository } from '../../cases/case.repository.js';
import { IntakeConfig } from '../../intake.config.js';
import { RegistryRepository } from '../../registry/registry.repository.js';
import { unknownReference } from '../../registry/unknown-reference.error.js';
import { CaseVersionCommittedEvent } from '../../cases/case-version-committed.event.js';
import { SubmitReportCommand, type SubmittedReport } from './submit-report.command.js';

@CommandHandler(SubmitReportCommand)
export class SubmitReportHandler implements ICommandHandler<SubmitReportCommand, SubmittedReport> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly registry: RegistryRepository,
    private readonly events: EventBus,
    private readonly config: IntakeConfig,
  ) {}

  async execute({ report, principal }: SubmitReportCommand): Promise<SubmittedReport> {
    assertClinicAccess(principal, report.clinicId);
    const today = todayUtc();
    const violations = reportRuleViolations(report, today);
    if (violations.length > 0) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'One or more fields are invalid.', violations);
    }
    const known = await this.registry.exists({ clinicId: report.clinicId, pigmentId: report.pigmentId });
    if (!known.clinicId) throw unknownReference('clinicId', report.clinicId);
    if (!known.pigmentId) throw unknownReference('pigmentId', report.pigmentId!);
    const reasons = seriousReasons(report);
    const serious = reasons.length > 0;
    // The clock starts the day we learn of the case: today, when it is received.
    const reportingDueBy = serious ? addBusinessDays(today, SERIOUS_REPORTING_BUSINESS_DAYS, this.config.publicHolidays) : null;
    const followUpToken = randomBytes(24).toString('base64url');

    const { narrative, reporter, effects, ...facts } = report;
    const stored = await this.cases.openCase({
      facts: {
        ...facts,
        reporterType: reporter.type,
        effects: effects.map(({ description: _description, ...effect }) => effect),
      },
      personal: {
        contact: reporter.contact ?? null,
        narrative: narrative ?? null,
        effectDescriptions: effects.map((effect) => effect.description ?? null),
      },
      serious,
      seriousReasons: reasons,
      reportingDueBy,
      followUpTokenHash: createHash('sha256').update(followUpToken).digest(),
    });
    this.events.publish(new CaseVersionCommittedEvent(stored.caseId));
    return { ...stored, serious, seriousReasons: reasons, reportingDueBy, followUpToken };
  }
}
