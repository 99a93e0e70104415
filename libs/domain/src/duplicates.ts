import { isIsoDate } from './calendar.js';
import type { Sex, SideEffectCategory } from './side-effect.js';

/**
 * Possible duplicate reports.
 *
 * The same complication is often reported twice, by the client and by the
 * clinic. A new case is scored against recent cases of the same clinic, and
 * the close ones are flagged for a human to review; a report is never dropped
 * automatically.
 *
 * The score follows the idea of WHO-UMC's vigiMatch (Norén et al., "Duplicate
 * detection in adverse drug reaction surveillance", 2007), itself a form of
 * Fellegi–Sunter probabilistic record linkage: every field the two reports
 * share gives a weight, the log2 likelihood ratio
 *
 *   agreement:    log2 P(fields agree    | duplicate) / P(fields agree    | distinct)  > 0
 *   disagreement: log2 P(fields disagree | duplicate) / P(fields disagree | distinct)  < 0
 *
 * and a field unknown in either report weighs 0 (neutral). The weights add up
 * to the evidence in bits. Unlike vigiMatch, which fits its weights to the
 * database, the weights below are set by hand from how the fields behave:
 *
 *   - procedure date: two reports of one complication almost never disagree on
 *     it, while many clients of a clinic are treated on other days, so
 *     agreement is strong evidence (+4) and disagreement overwhelming (-10,
 *     more than all other fields together can make up, so such a pair never
 *     passes the threshold);
 *   - categories: weighted by the Jaccard overlap J of the two sets, linearly
 *     from -2 (nothing shared) to +3 (the same set);
 *   - sex: the same +1, different -3;
 *   - age: within 1 year +1.5, 2 years apart neutral (a birthday, a guess),
 *     further apart -3;
 *   - onsets of the categories both reports share, per category: within 3 days
 *     +1.5, 4 to 14 days neutral, further apart -2; averaged over the shared
 *     categories whose onsets both reports give, so many shared categories do
 *     not count many times;
 *   - pigment: the same +0.5 (a clinic uses few pigments), different -1.5.
 *
 * The score is the posterior probability of a duplicate under prior log2 odds
 * of -5 (about 1 in 33 pairs of recent cases of one clinic):
 *
 *   score = 1 / (1 + 2^-(PRIOR + total weight))
 *
 * so it lies strictly between 0 and 1, is symmetric in the two reports, and
 * crosses {@link DUPLICATE_THRESHOLD} = 0.5 at 5 bits of evidence: the same
 * procedure date plus the same categories (7 bits) pass, the same date with
 * half the categories in common (4.5 bits) needs close onsets or matching
 * demographics too.
 */

/** The facts of a case that duplicate detection compares. */
export interface DuplicateCandidateFacts {
  caseId: string;
  /** YYYY-MM-DD */
  procedureDate: string;
  categories: readonly SideEffectCategory[];
  /** Onset of each side effect, per category, YYYY-MM-DD. */
  onsetDates: Readonly<Partial<Record<SideEffectCategory, string>>>;
  ageYears?: number;
  sex?: Sex;
  pigmentId?: string;
}

export interface DuplicateMatch {
  caseId: string;
  /** Posterior probability of a duplicate, 0..1. */
  score: number;
  /** Short human-readable grounds, for and against. */
  reasons: string[];
}

/** Pairs scoring at least this are flagged for review as possible duplicates. */
export const DUPLICATE_THRESHOLD = 0.5;

/** Field weights in bits (log2 likelihood ratios); see the comment above. */
const WEIGHT = {
  prior: -5,
  procedureDate: { agree: 4, disagree: -10 },
  categories: { agree: 3, disagree: -2 },
  sex: { agree: 1, disagree: -3 },
  age: { agree: 1.5, disagree: -3 },
  onset: { agree: 1.5, disagree: -2 },
  pigment: { agree: 0.5, disagree: -1.5 },
} as const;

const AGE_TOLERATED_YEARS = 1;
const AGE_MISMATCH_YEARS = 2; // further apart than this counts against
const ONSET_CLOSE_DAYS = 3;
const ONSET_FAR_DAYS = 14; // further apart than this counts against

const MS_PER_DAY = 86_400_000;

/**
 * How likely two reports describe the same complication, 0..1, with the
 * grounds. Symmetric: `duplicateScore(a, b)` equals `duplicateScore(b, a)`.
 */
export function duplicateScore(newCase: DuplicateCandidateFacts, existing: DuplicateCandidateFacts): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let weight = WEIGHT.prior;

  // Procedure date (required in both reports).
  if (newCase.procedureDate === existing.procedureDate) {
    weight += WEIGHT.procedureDate.agree;
    reasons.push('same procedure date');
  } else {
    weight += WEIGHT.procedureDate.disagree;
    reasons.push('different procedure date');
  }

  // Categories, by Jaccard overlap.
  const a = new Set(newCase.categories);
  const b = new Set(existing.categories);
  const shared = [...a].filter((category) => b.has(category)).sort();
  if (a.size > 0 && b.size > 0) {
    const union = new Set([...a, ...b]).size;
    const jaccard = shared.length / union;
    weight += WEIGHT.categories.disagree + (WEIGHT.categories.agree - WEIGHT.categories.disagree) * jaccard;
    if (jaccard === 1) reasons.push(`same categories: ${shared.join(', ')}`);
    else if (shared.length > 0) reasons.push(`shared categories: ${shared.join(', ')} (${shared.length} of ${union})`);
    else reasons.push('no shared category');
  }

  // Sex and age.
  const sexKnown = isKnownSex(newCase.sex) && isKnownSex(existing.sex);
  const sexAgrees = sexKnown && newCase.sex === existing.sex;
  const ageGap = isKnownAge(newCase.ageYears) && isKnownAge(existing.ageYears) ? Math.abs(newCase.ageYears - existing.ageYears) : undefined;
  if (sexKnown) weight += sexAgrees ? WEIGHT.sex.agree : WEIGHT.sex.disagree;
  if (ageGap !== undefined) {
    if (ageGap <= AGE_TOLERATED_YEARS) weight += WEIGHT.age.agree;
    else if (ageGap > AGE_MISMATCH_YEARS) weight += WEIGHT.age.disagree;
  }
  reasons.push(...demographicReasons(newCase, existing, sexKnown, sexAgrees, ageGap));

  // Onsets of the shared categories.
  const gaps = shared
    .map((category) => daysApart(newCase.onsetDates[category], existing.onsetDates[category]))
    .filter((gap): gap is number => gap !== undefined);
  if (gaps.length > 0) {
    const onsetWeights: number[] = gaps.map((gap) =>
      gap <= ONSET_CLOSE_DAYS ? WEIGHT.onset.agree : gap > ONSET_FAR_DAYS ? WEIGHT.onset.disagree : 0,
    );
    weight += onsetWeights.reduce((sum, w) => sum + w, 0) / onsetWeights.length;
    const min = Math.min(...gaps);
    const max = Math.max(...gaps);
    reasons.push(min === max ? `onsets ${days(min)} apart` : `onsets ${min}–${days(max)} apart`);
  }

  // Pigment.
  if (newCase.pigmentId && existing.pigmentId) {
    const samePigment = newCase.pigmentId === existing.pigmentId;
    weight += samePigment ? WEIGHT.pigment.agree : WEIGHT.pigment.disagree;
    reasons.push(samePigment ? 'same pigment' : 'different pigment');
  }

  return { score: 1 / (1 + 2 ** -weight), reasons };
}

/**
 * The recent cases that may duplicate `newCase`, best first: those scoring at
 * least `threshold`, never the case itself. Ties are ordered by case id.
 */
export function likelyDuplicates(
  newCase: DuplicateCandidateFacts,
  recent: readonly DuplicateCandidateFacts[],
  threshold: number = DUPLICATE_THRESHOLD,
): DuplicateMatch[] {
  return recent
    .filter((candidate) => candidate.caseId !== newCase.caseId)
    .map((candidate) => ({ caseId: candidate.caseId, ...duplicateScore(newCase, candidate) }))
    .filter((match) => match.score >= threshold)
    .sort((x, y) => y.score - x.score || (x.caseId < y.caseId ? -1 : x.caseId > y.caseId ? 1 : 0));
}

function isKnownSex(sex: Sex | undefined): sex is Exclude<Sex, 'unknown'> {
  return sex !== undefined && sex !== 'unknown';
}

function isKnownAge(age: number | undefined): age is number {
  return age !== undefined && Number.isFinite(age);
}

function demographicReasons(
  a: DuplicateCandidateFacts,
  b: DuplicateCandidateFacts,
  sexKnown: boolean,
  sexAgrees: boolean,
  ageGap: number | undefined,
): string[] {
  const reasons: string[] = [];
  if (sexAgrees && ageGap === 0) return ['same sex and age'];
  if (sexKnown) reasons.push(sexAgrees ? 'same sex' : `different sex: ${[a.sex, b.sex].sort().join(', ')}`);
  if (ageGap === 0) reasons.push('same age');
  else if (ageGap !== undefined) reasons.push(`ages ${Math.min(a.ageYears!, b.ageYears!)} and ${Math.max(a.ageYears!, b.ageYears!)}`);
  return reasons;
}

/** Whole days between two YYYY-MM-DD dates; undefined when either is missing or not a date. */
function daysApart(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined || !isIsoDate(a) || !isIsoDate(b)) return undefined;
  return Math.abs(Date.parse(a) - Date.parse(b)) / MS_PER_DAY;
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}
