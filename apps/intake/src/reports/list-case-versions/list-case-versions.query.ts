import { Query } from '@nestjs/cqrs';
import type { Principal } from '@smp/auth';

export interface CaseVersionView {
  version: number;
  kind: 'submission' | 'follow_up' | 'nullification';
  recordedAt: string;
  serious: boolean;
  seriousReasons: string[];
  reportingDueBy: string | null;
  facts: Record<string, unknown>;
  /** Only for admins. */
  personal?: { contact: unknown; narrative: string | null; effectDescriptions: unknown } | null;
}

export class ListCaseVersionsQuery extends Query<{ caseId: string; versions: CaseVersionView[] }> {
  constructor(
    readonly caseId: string,
    readonly principal: Principal,
  ) {
    super();
  }
}
