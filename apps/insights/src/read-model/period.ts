import { ProblemError } from '@smp/http';

/** A range of procedure months, both ends optional, as first days of months for SQL. */
export interface Period {
  from: string | null;
  to: string | null;
}

/** From `from`/`to` query values (YYYY-MM, already validated); 400 naming both when they are the wrong way round. */
export function periodOf(from?: string, to?: string): Period {
  if (from && to && from > to) {
    throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'from must not be after to.', [
      { field: 'from', message: `from ${from} is after to ${to}` },
    ]);
  }
  return { from: from ? `${from}-01` : null, to: to ? `${to}-01` : null };
}
