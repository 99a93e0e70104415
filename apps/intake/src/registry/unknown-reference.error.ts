import { ProblemError } from '@smp/http';

/** 422: the request is well-formed but names a clinic, pigment or procedure we do not know. */
export function unknownReference(field: string, value: string): ProblemError {
  return new ProblemError(422, 'unknown-reference', 'Unprocessable Content', `${field} ${value} is not registered.`, [
    { field, message: `${field} ${value} is not registered` },
  ]);
}
