import { createHash } from 'node:crypto';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { ProblemError } from '@smp/http';
import { authorizeCaseAccess } from '../../cases/case-access.js';
import { OutboxWrittenEvent } from '../../outbox/outbox-written.event.js';
import { CaseRepository, StaleCaseVersionError } from '../../cases/case.repository.js';
import type { CaseVersionResult } from '../follow-up-report/follow-up-report.command.js';
import { NullifyReportCommand } from './nullify-report.command.js';

/**
 * A duplicate, erroneous or withdrawn case is nullified: a new version that keeps every
 * earlier one, and takes the case out of every count.
 */
@CommandHandler(NullifyReportCommand)
export class NullifyReportHandler implements ICommandHandler<NullifyReportCommand, CaseVersionResult> {
  constructor(
    private readonly cases: CaseRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ caseId, request, principal, followUpToken }: NullifyReportCommand): Promise<CaseVersionResult> {
    // The reporter may withdraw their own report with the follow-up token; other reasons are for the clinic or an admin.
    const stored = authorizeCaseAccess(principal, await this.cases.find(caseId), caseId, {
      followUpToken,
      allowToken: request.reason === 'withdrawn_by_reporter',
    });
    const result = { caseId, serious: stored.serious, seriousReasons: stored.seriousReasons, reportingDueBy: null, nullified: true };
    if (stored.nullified) return { ...result, version: stored.version };
    if (request.duplicateOf === caseId) {
      throw new ProblemError(422, 'nullification-rejected', 'Unprocessable Content', 'A case cannot duplicate itself.', [
        { field: 'duplicateOf', message: 'duplicateOf must name another case' },
      ]);
    }
    try {
      const version = await this.cases.appendVersion(caseId, stored.version, {
        kind: 'nullification',
        facts: { ...stored.facts, nullification: { reason: request.reason, duplicateOf: request.duplicateOf ?? null } },
        personal: request.note ? { contact: null, narrative: request.note, effectDescriptions: [] } : null,
        requestHash: createHash('sha256').update(JSON.stringify(request)).digest(),
        serious: stored.serious,
        seriousReasons: stored.seriousReasons,
        reportingDueBy: null,
        nullificationReason: request.reason,
      });
      this.events.publish(new OutboxWrittenEvent());
      return { ...result, version };
    } catch (error) {
      if (error instanceof StaleCaseVersionError) {
        throw new ProblemError(409, 'case-changed', 'Conflict', `Case ${caseId} changed meanwhile; send the request again.`);
      }
      throw error;
    }
  }
}
