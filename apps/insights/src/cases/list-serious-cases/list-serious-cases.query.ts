import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { Page } from '../../read-model/paging.js';
import type { CaseStatus, ListSeriousCasesRequestDto } from './list-serious-cases.request.dto.js';

/** A case as the deadline list shows it: no personal data, no narrative. */
export interface CaseDeadline {
  caseId: string;
  version: number;
  clinicId: string;
  pigmentId: string | null;
  procedureDate: string;
  categories: string[];
  serious: boolean;
  seriousReasons: string[];
  reportingDueBy: string | null;
  status: CaseStatus;
  outcome: string | null;
}

/** A page of the cases (see Page), and the day their status was judged on. */
export interface CaseDeadlines extends Page<CaseDeadline> {
  /** The date `status` was judged against (UTC). */
  asOf: string;
}

export class ListSeriousCasesQuery extends Query<Answer<CaseDeadlines>> {
  constructor(
    readonly filter: ListSeriousCasesRequestDto,
    /** A clinic key's own clinic: the list is confined to it. */
    readonly onlyClinic: string | null,
    /** Today (UTC), YYYY-MM-DD: what overdue is judged against. */
    readonly asOf: string,
  ) {
    super();
  }
}
