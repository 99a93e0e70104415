import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ListPossibleDuplicatesQuery, type PossibleDuplicate } from './list-possible-duplicates.query.js';

/** Flagged cases that are still open (neither side nullified), newest first. */
@QueryHandler(ListPossibleDuplicatesQuery)
export class ListPossibleDuplicatesHandler implements IQueryHandler<ListPossibleDuplicatesQuery> {
  constructor(private readonly db: DataSource) {}

  async execute(): Promise<{ items: PossibleDuplicate[] }> {
    const rows: Array<{ case_id: string; clinic_id: string; candidates: PossibleDuplicate['candidates'] }> = await this.db.query(
      `SELECT d.case_id, c.clinic_id,
              jsonb_agg(jsonb_build_object('caseId', d.candidate_case_id, 'score', round(d.score::numeric, 3), 'reasons', d.reasons)
                        ORDER BY d.score DESC) AS candidates
         FROM intake.possible_duplicates d
         JOIN intake.cases c ON c.case_id = d.case_id
         JOIN intake.cases other ON other.case_id = d.candidate_case_id
        WHERE c.nullified_at IS NULL AND other.nullified_at IS NULL
        GROUP BY d.case_id, c.clinic_id
        ORDER BY max(d.flagged_at) DESC
        LIMIT 1000`,
    );
    return {
      items: rows.map((row) => ({
        caseId: row.case_id,
        clinicId: row.clinic_id,
        candidates: row.candidates.map((candidate) => ({ ...candidate, score: Number(candidate.score) })),
      })),
    };
  }
}
