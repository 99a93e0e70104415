/** One bad field of a request: where it is and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A domain or request error with a stable code. The one exception filter
 * turns it into RFC 9457 problem details; the code becomes the `type`.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

export const PROBLEM_TYPE_BASE = 'https://smp-vigil.dev/problems/';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  correlationId?: string;
  errors?: FieldProblem[];
}
