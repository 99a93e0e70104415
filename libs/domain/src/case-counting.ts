/** Whether a side effect counts its case itself in figures added up across categories (see caseCounting). */
export interface CaseCounting {
  /** Counts the case once across categories: the first of its version's side effects in category code order. */
  countsCase: boolean;
  /** Counts it once for its severity: the first of the version's side effects with that severity. */
  countsCaseForSeverity: boolean;
}

/**
 * What a retracted side effect says: it counts nothing. Said rather than left out, so that a consumer can tell it from
 * the events of an intake from before report counts, which say nothing either way (see recountCases).
 */
export const COUNTS_NOTHING: Readonly<CaseCounting> = Object.freeze({ countsCase: false, countsCaseForSeverity: false });

/**
 * Which of a case version's side effects count the case itself, so that figures added up across categories count each
 * report once and not once per complication: the first in category code order (the codes compared as strings, as
 * Postgres's COLLATE "C" does), and the first of each severity (for figures narrowed to, or broken down by, severity).
 */
export function caseCounting(
  effects: ReadonlyArray<{ category: string; severity: string }>,
): (effect: { category: string; severity: string }) => CaseCounting {
  const ordered = [...effects].sort((x, y) => (x.category < y.category ? -1 : x.category > y.category ? 1 : 0));
  const firstOfSeverity = new Map<string, string>();
  for (const effect of ordered) if (!firstOfSeverity.has(effect.severity)) firstOfSeverity.set(effect.severity, effect.category);
  return (effect) => ({
    countsCase: effect.category === ordered[0]?.category,
    countsCaseForSeverity: firstOfSeverity.get(effect.severity) === effect.category,
  });
}
