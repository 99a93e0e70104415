import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommit } from '@smp/persistence';
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
 * At most this many cases screened by one query. Each reads up to MAX_CANDIDATES whole reports: a batch of 500 cases of one
 * busy clinic and date read tens of thousands of reports at once, and intake ran out of heap (the projector-faults
 * spec's workload, one clinic, once screening fell behind).
 */
const MAX_BATCH = 25;
/**
 * Cases waiting to be screened, at most. Screening runs after the answer is sent, so nothing else holds the intake back
 * when it falls behind; past this many waiting, a new case goes unscreened (a missed flag, never a lost report) and is
 * logged, rather than the queue growing until the heap runs out.
 */
const MAX_WAITING = 5_000;
/** A bound other than MAX_WAITING, if provided (none is in the app: Nest needs the token to leave the parameter optional). */
export const SCREENING_MAX_WAITING = Symbol('SCREENING_MAX_WAITING');

interface Screened {
  caseId: string;
  facts: ScreenedFacts;
}

/**
 * Scores a new case against the recent cases of its clinic and flags likely
 * duplicates for review. It never drops or changes a report, and runs after
 * the case is committed: a failure here costs a flag, never a report.
 *
 * Like the group commit, cases are screened in batches: the cases opened while
 * a batch is being screened are read with one query and flagged with one
 * statement (one transaction) together, instead of a query and a transaction
 * each. A case alone is screened at once.
 */
@Injectable()
export class DuplicateScreening {
  private readonly logger = new Logger(DuplicateScreening.name);
  private readonly batches = new GroupCommit<Screened, number>({
    commit: (batch) => this.screenBatch(batch),
    // Never needed: a batch that fails costs its flags (0 each), it does not throw.
    alone: () => Promise.resolve(0),
    maxGroup: MAX_BATCH,
    inFlight: 1,
  });

  private waiting = 0;

  constructor(
    private readonly db: DataSource,
    @Optional() @Inject(SCREENING_MAX_WAITING) private readonly maxWaiting: number = MAX_WAITING,
  ) {}

  /** Screens a committed case; resolves to the number of flags it got (0 when screening failed). */
  screen(caseId: string, facts: ScreenedFacts): Promise<number> {
    if (this.waiting >= this.maxWaiting) {
      this.logger.warn(`duplicate screening is ${this.waiting} cases behind: ${caseId} is not screened`);
      return Promise.resolve(0);
    }
    this.waiting++;
    return this.batches.submit({ caseId, facts }).finally(() => this.waiting--);
  }

  /** The number of flags each case of the batch got; all 0 when screening failed. */
  private async screenBatch(batch: readonly Screened[]): Promise<number[]> {
    try {
      const candidates = await this.candidates(batch);
      const matches = batch.map((screened, index) =>
        likelyDuplicates(
          candidateFacts(screened.caseId, screened.facts),
          candidates[index].map((row) => candidateFacts(row.case_id, row.report)),
        ),
      );
      const flags = batch.flatMap((screened, index) => matches[index].map((match) => ({ caseId: screened.caseId, match })));
      if (flags.length > 0) {
        await this.db.query(
          `INSERT INTO intake.possible_duplicates (case_id, candidate_case_id, score, reasons)
           SELECT case_id, candidate, score, string_to_array(reasons, E'\\x1f')
             FROM unnest($1::text[], $2::text[], $3::real[], $4::text[]) AS m(case_id, candidate, score, reasons)
           ON CONFLICT DO NOTHING`,
          [
            flags.map((flag) => flag.caseId),
            flags.map((flag) => flag.match.caseId),
            flags.map((flag) => flag.match.score),
            flags.map((flag) => flag.match.reasons.join('\x1f')),
          ],
        );
      }
      return matches.map((found) => found.length);
    } catch (error) {
      const cases = batch.map((screened) => screened.caseId).join(', ');
      this.logger.warn(`duplicate screening of ${cases} failed: ${(error as Error).message}`);
      return batch.map(() => 0);
    }
  }

  /**
   * For each screened case, in order, the cases that could match it. Only cases of the same clinic with the same
   * procedure date are read: a different procedure date weighs more against a match than every other field can make
   * up, so no such case could score the threshold (the domain's tests hold that). One index probe on (clinic, date)
   * per screened case then reads the handful of cases that could match, not the clinic's whole recent history.
   */
  private async candidates(batch: readonly Screened[]): Promise<Array<Array<{ case_id: string; report: ScreenedFacts }>>> {
    const rows: Array<{ screened: number; case_id: string; report: ScreenedFacts }> = await this.db.query(
      `SELECT s.screened::int AS screened, r.case_id, r.report
         FROM unnest($1::text[], $2::text[], $3::date[]) WITH ORDINALITY AS s(case_id, clinic_id, procedure_date, screened)
         CROSS JOIN LATERAL (
           SELECT c.case_id, v.report
             FROM intake.cases c JOIN intake.case_versions v ON v.case_id = c.case_id AND v.version = c.version
            WHERE c.clinic_id = s.clinic_id AND c.procedure_date = s.procedure_date AND c.case_id <> s.case_id
              AND c.nullified_at IS NULL AND c.received_at > now() - make_interval(days => $4)
            ORDER BY c.received_at DESC LIMIT $5) r`,
      [
        batch.map((screened) => screened.caseId),
        batch.map((screened) => screened.facts.clinicId),
        batch.map((screened) => screened.facts.procedureDate),
        LOOKBACK_DAYS,
        MAX_CANDIDATES,
      ],
    );
    const candidates = batch.map((): Array<{ case_id: string; report: ScreenedFacts }> => []);
    for (const row of rows) candidates[row.screened - 1].push(row);
    return candidates;
  }
}
