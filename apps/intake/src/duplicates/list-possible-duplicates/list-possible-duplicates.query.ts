import { Query } from '@nestjs/cqrs';

export interface PossibleDuplicate {
  caseId: string;
  clinicId: string;
  candidates: Array<{ caseId: string; score: number; reasons: string[] }>;
}

export class ListPossibleDuplicatesQuery extends Query<{ items: PossibleDuplicate[] }> {}
