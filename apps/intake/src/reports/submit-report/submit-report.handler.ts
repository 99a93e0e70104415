import { createHash, randomBytes } from 'node:crypto';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { assertClinicAccess } from '@smp/auth';
import { SERIOUS_REPORTING_BUSINESS_DAYS, addBusinessDays, reportRuleViolations, seriousReasons, todayUtc } from '@smp/domain';
import { ProblemError, type FieldProblem } from '@smp/http';
import { CaseRepository } from '../../cases/case.repository.js';
import { DuplicateScreening } from '../../duplicates/duplicate-screening.service.js';
import { IntakeConfig } from '../../intake.config.js';
import { OutboxWrittenEvent } from '../../outbox/outbox-written.event.js';
import { ProcedureRepository } from '../../procedures/procedure.repository.js';
import { RegistryRepository } from '../../registry/registry.repository.js';
import { unknownReference } from '../../registry/unknown-reference.error.js';
import { SubmitReportCommand, type SubmittedReport } from './submit-report.command.js';
import type { SubmitReportRequestDto } from './submit-report.request.dto.js';

const MAX_REMEMBERED_REGISTRATIONS = 100_000;

@CommandHandler(SubmitReportCommand)
export class SubmitReportHandler implements ICommandHandler<SubmitReportCommand, SubmittedReport> {
  private readonly registered = new Set<string>();
  /** Every serious case received on one day has the same deadline: worked out once a day. */
  private deadline: { receivedOn: string; dueBy: string } | undefined;

  constructor(
    private readonly cases: CaseRepository,
    private readonly registry: RegistryRepository,
    private readonly procedures: ProcedureRepository,
    private readonly events: EventBus,
    private readonly duplicates: DuplicateScreening,
    private readonly config: IntakeConfig,
  ) {}

  async execute({ report: given, principal, idempotencyKey }: SubmitReportCommand): Promise<SubmittedReport> {
    const report = await this.resolveProcedure(given);
    assertClinicAccess(principal, report.clinicId);
    const today = todayUtc();
    const violations = reportRuleViolations(report, today);
    if (violations.length > 0) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'One or more fields are invalid.', violations);
    }
    await this.assertRegistered(report.clinicId, report.pigmentId);

    const reasons = seriousReasons(report);
    const serious = reasons.length > 0;
    // The clock starts the day we learn of the case: today, when it is received.
    const reportingDueBy = serious ? this.reportingDueBy(today) : null;
    const followUpToken = randomBytes(24).toString('base64url');
    // Only an Idempotency-Key needs the request's hash (to tell a retry from another request with the same key).
    const idempotency = idempotencyKey
      ? { key: idempotencyKey, requestHash: createHash('sha256').update(JSON.stringify(given)).digest() }
      : undefined;

    const { narrative, reporter, effects, procedureRef: _procedureRef, ...rest } = report;
    const facts = { ...rest, reporterType: reporter.type, effects: effects.map(({ description: _description, ...effect }) => effect) };
    const outcome = await this.cases.openCase(
      {
        facts,
        personal: {
          contact: reporter.contact ?? null,
          narrative: narrative ?? null,
          effectDescriptions: effects.map((effect) => effect.description ?? null),
        },
        serious,
        seriousReasons: reasons,
        reportingDueBy,
        followUpTokenHash: createHash('sha256').update(followUpToken).digest(),
      },
      ({ caseId, version }): SubmittedReport => ({ caseId, version, serious, seriousReasons: reasons, reportingDueBy, followUpToken }),
      idempotency,
    );
    if (outcome.kind === 'replayed' && !outcome.requestHash.equals(idempotency!.requestHash)) {
      throw new ProblemError(
        422,
        'idempotency-key-reused',
        'Unprocessable Content',
        'This Idempotency-Key was used with a different request body.',
      );
    }
    if (outcome.kind === 'opened') {
      this.events.publish(new OutboxWrittenEvent());
      // Flags for review only; the client's answer does not wait for it.
      void this.duplicates.screen(outcome.response.caseId, facts);
    }
    return outcome.response;
  }

  private reportingDueBy(receivedOn: string): string {
    if (this.deadline?.receivedOn !== receivedOn) {
      this.deadline = { receivedOn, dueBy: addBusinessDays(receivedOn, SERIOUS_REPORTING_BUSINESS_DAYS, this.config.publicHolidays) };
    }
    return this.deadline.dueBy;
  }

  /**
   * The clinic and pigment must be registered. Registrations are never withdrawn, so an id once found
   * stays valid and is not looked up again (one round trip less per report under load).
   */
  private async assertRegistered(clinicId: string, pigmentId: string | undefined): Promise<void> {
    const clinicKey = `clinic\u0000${clinicId}`;
    const pigmentKey = pigmentId === undefined ? undefined : `pigment\u0000${pigmentId}`;
    if (this.registered.has(clinicKey) && (pigmentKey === undefined || this.registered.has(pigmentKey))) return;
    const known = await this.registry.exists({ clinicId, pigmentId });
    if (!known.clinicId) throw unknownReference('clinicId', clinicId);
    if (!known.pigmentId) throw unknownReference('pigmentId', pigmentId!);
    if (this.registered.size >= MAX_REMEMBERED_REGISTRATIONS) this.registered.clear();
    this.registered.add(clinicKey);
    if (pigmentKey !== undefined) this.registered.add(pigmentKey);
  }

  /** A procedureRef fixes the clinic, the pigment and the procedure date; anything given besides must agree. */
  private async resolveProcedure(report: SubmitReportRequestDto): Promise<SubmitReportRequestDto> {
    if (report.procedureRef === undefined) return report;
    const procedure = await this.procedures.find(report.procedureRef);
    if (!procedure) throw unknownReference('procedureRef', report.procedureRef);
    const conflicts: FieldProblem[] = (
      [
        ['clinicId', procedure.clinicId],
        ['pigmentId', procedure.pigmentId],
        ['procedureDate', procedure.procedureDate],
      ] as const
    ).flatMap(([field, fixed]) =>
      report[field] !== undefined && report[field] !== fixed
        ? [{ field, message: `${field} ${report[field]} does not match procedure ${procedure.procedureRef} (${fixed})` }]
        : [],
    );
    if (conflicts.length > 0) {
      throw new ProblemError(422, 'procedure-mismatch', 'Unprocessable Content', 'The report contradicts its procedureRef.', conflicts);
    }
    return { ...report, clinicId: procedure.clinicId, pigmentId: procedure.pigmentId, procedureDate: procedure.procedureDate };
  }
}
