import { createHash } from 'node:crypto';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import {
  SERIOUS_REPORTING_BUSINESS_DAYS,
  addBusinessDays,
  applyFollowUp,
  restartsReportingClock,
  seriousReasons,
  todayUtc,
  type CaseEffect,
} from '@smp/domain';
import { ProblemError } from '@smp/http';
import { authorizeCaseAccess } from '../../cases/case-access.js';
import { CaseRepository, StaleCaseVersionError, type CaseFacts, type StoredCase } from '../../cases/case.repository.js';
import { IntakeConfig } from '../../intake.config.js';
import { OutboxWrittenEvent } from '../../outbox/outbox-written.event.js';
import { FollowUpReportCommand, type CaseVersionResult } from './follow-up-report.command.js';

@CommandHandler(FollowUpReportCommand)
export class FollowUpReportHandler implements ICommandHandler<FollowUpReportCommand, CaseVersionResult> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly events: EventBus,
    private readonly config: IntakeConfig,
  ) {}

  async execute({ caseId, followUp, principal, followUpToken }: FollowUpReportCommand): Promise<CaseVersionResult> {
    const stored = authorizeCaseAccess(principal, await this.cases.find(caseId), caseId, { followUpToken, allowToken: true });
    if (stored.nullified)
      throw new ProblemError(409, 'case-nullified', 'Conflict', `Case ${caseId} was nullified; it takes no follow-ups.`);

    // The same follow-up sent again (a retry) changes nothing.
    const requestHash = createHash('sha256').update(JSON.stringify(followUp)).digest();
    if ((await this.cases.versionMadeBy(caseId, requestHash)) !== null) return this.result(stored);

    const today = todayUtc();
    const { addEffects = [], medicalInformation, ...changes } = followUp;
    const { next, violations } = applyFollowUp(
      stored.facts as CaseFacts & { procedureDate: string; effects: CaseEffect[] },
      { ...changes, addEffects: addEffects.map(({ description: _description, ...effect }) => effect) },
      today,
    );
    if (violations.length > 0) {
      throw new ProblemError(422, 'follow-up-rejected', 'Unprocessable Content', 'The follow-up does not fit the case.', violations);
    }
    const reasons = seriousReasons(next as Parameters<typeof seriousReasons>[0]);
    const serious = reasons.length > 0;
    const newMedicalInformation =
      medicalInformation !== undefined ||
      (followUp.hospitalized === true && !stored.facts.hospitalized) ||
      (followUp.medicalIntervention === true && !stored.facts.medicalIntervention);
    const reportingDueBy = !serious
      ? null
      : restartsReportingClock({ serious: stored.serious, receivedOn: stored.receivedOn }, { serious }, newMedicalInformation, today)
        ? addBusinessDays(today, SERIOUS_REPORTING_BUSINESS_DAYS, this.config.publicHolidays)
        : stored.reportingDueBy;

    const hasPersonal = medicalInformation !== undefined || addEffects.some((effect) => effect.description !== undefined);
    try {
      const version = await this.cases.appendVersion(caseId, stored.version, {
        kind: 'follow_up',
        facts: next,
        personal: hasPersonal
          ? {
              contact: null,
              narrative: medicalInformation ?? null,
              effectDescriptions: addEffects.map((effect) => effect.description ?? null),
            }
          : null,
        requestHash,
        serious,
        seriousReasons: reasons,
        reportingDueBy,
      });
      this.events.publish(new OutboxWrittenEvent());
      return { caseId, version, serious, seriousReasons: reasons, reportingDueBy, nullified: false };
    } catch (error) {
      if (error instanceof StaleCaseVersionError) {
        throw new ProblemError(
          409,
          'case-changed',
          'Conflict',
          `Case ${caseId} changed while this follow-up was processed; send it again.`,
        );
      }
      throw error;
    }
  }

  private result({ caseId, version, serious, seriousReasons: reasons, reportingDueBy, nullified }: StoredCase): CaseVersionResult {
    return { caseId, version, serious, seriousReasons: reasons, reportingDueBy, nullified };
  }
}
