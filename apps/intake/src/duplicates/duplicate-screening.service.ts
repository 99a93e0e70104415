import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { likelyDuplicates, type DuplicateCandidateFacts, type SideEffectCategory } from '@smp/domain';
import type { CaseFacts } from '../cases/case.repository.js';

const LOOKBACK_DAYS = 180;
const MAX_CANDIDATES = 500;

interface ScreenedFacts extends CaseFacts {
  patient?: { ageYears?: number; sex?: DuplicateCandidateFacts['sex'] };
}

function candidateFacts(caseId: string, facts: ScreenedFacts): DuplicateCandidateFacts {
  return {
    caseId,
    procedureDate: facts.procedureDate,
    categories: facts.effects.map((effect) => effect.category),
    onsetDates: Object.fromEntries(facts.effects.map((effect) => [effect.category, effect.onsetDate])) as Partial<
      Record<SideEffectCategory, string>
    >,
    ageYears: facts.patient?.ageYears,
    sex: facts.patient?.sex,
    pigmentId: facts.pigmentId,
  };
}

/**
 * Scores a new case against the recent cases of its clinic and flags likely
 * duplicates for review. It never drops or changes a report, and runs after
 * the case is committed: a failure here costs a flag, never a report.
 */
@Injectable()
export class DuplicateScreening {
  private readonly logger = new Logger(DuplicateScreening.name);

  constructor(private readonly db: DataSource) {}

  /**
   * Only cases of the same clinic with the same procedure date are read: a different procedure date
   * weighs more against a match than every other field can make up, so no such case could score
   * the threshold (the domain's tests hold that). One index probe on (clinic, date) then
   * reads the handful of cases that could match, not the clinic's whole recent history.
   */
  async screen(caseId: string, facts: ScreenedFacts): Promise<number> {
    try {
      const recent: Array<{ case_id: string; report: ScreenedFacts }> = await this.db.query(
        `SELECT c.case_id, v.report
           FROM intake.cases c JOIN intake.case_versions v ON v.case_id = c.case_id AND v.version = c.version
          WHERE c.clinic_id = $1 AND c.procedure_date = $5 AND c.case_id <> $2 AND c.nullified_at IS NULL
            AND c.received_at > now() - make_interval(days => $3)
          ORDER BY c.received_at DESC LIMIT $4`,
        [facts.clinicId, caseId, LOOKBACK_DAYS, MAX_CANDIDATES, facts.procedureDate],
      );
      const matches = likelyDuplicates(
        candidateFacts(caseId, facts),
        recent.map((row) => candidateFacts(row.case_id, row.report)),
      );
      if (matches.length === 0) return 0;
      await this.db.query(
        `INSERT INTO intake.possible_duplicates (case_id, candidate_case_id, score, reasons)
         SELECT $1, candidate, score, string_to_array(reasons, E'\\x1f')
           FROM unnest($2::text[], $3::real[], $4::text[]) AS m(candidate, score, reasons)
         ON CONFLICT DO NOTHING`,
        [
          caseId,
          matches.map((match) => match.caseId),
          matches.map((match) => match.score),
          matches.map((match) => match.reasons.join('\x1f')),
        ],
      );
      return matches.length;
    } catch (error) {
      this.logger.warn(`duplicate screening of ${caseId} failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
