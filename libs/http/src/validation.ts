import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemError, type FieldProblem } from './problem.js';

/** `effects[0].category`, not `effects.0.category`: the way a client wrote it. */
function fieldPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parent, error.property);
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message: constraint === 'whitelistValidation' ? `${field} is not a known property` : message,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * The one validation pipe: unknown properties are rejected, not dropped;
 * every bad field is listed in the problem document.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ProblemError(
        400,
        'validation-failed',
        'The request is not valid',
        'One or more fields are invalid.',
        flattenValidationErrors(errors),
      ),
  });
}
