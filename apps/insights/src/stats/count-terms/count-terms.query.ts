import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { CountField, CountTermsRequestDto } from './count-terms.request.dto.js';

export interface TermCount {
  term: string;
  count: number;
}

export interface TermCounts {
  field: CountField;
  /** How many distinct terms match the filters, over all pages. */
  totalTerms: number;
  rows: TermCount[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export class CountTermsQuery extends Query<Answer<TermCounts>> {
  constructor(
    readonly filter: CountTermsRequestDto,
    /** A clinic key's own clinic: the counts are confined to it. */
    readonly onlyClinic: string | null,
  ) {
    super();
  }
}
