import { ValidationPipe, type ArgumentMetadata, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { fastValidator } from '@smp/contracts';
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

/** At most this many query strings remembered per DTO class; past it, that class's start over. */
const MAX_REMEMBERED_QUERIES = 1_000;

/**
 * Nest's validation pipe, with two shortcuts to the same answers.
 *
 * A body passes without class-validator's reflective walk when the ajv function compiled from its DTO's own decorators
 * accepts it (fastValidator, closed: unknown properties fail it as `forbidNonWhitelisted` does): it then gets the DTO
 * that plainToInstance makes of it, as the full path gives a valid body. The compiled function accepts nothing
 * class-validator rejects; what it rejects (or a DTO it cannot say) goes the full way, whose verdict and problem document
 * decide (perf: the full way was ≈ 16 % of the intake's CPU a report in a profile of the benchmark's load).
 *
 * A query string's DTO is remembered. A query's DTO is a pure function of its class and the query's strings (the query
 * DTOs' decorators and transforms read nothing else: no clock, no database), so a query seen before needs neither
 * class-transformer nor class-validator again (perf: they were ≈ 15 % of the CPU and ≈ 18 % of the allocation of an
 * answer insights keeps, a view many people open). Each request gets its own copy of the DTO; a query that failed is
 * checked again each time (its problem document is built afresh). Bodies are not remembered.
 */
class ShortcutValidationPipe extends ValidationPipe {
  private readonly remembered = new Map<object, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (typeof metatype !== 'function' || this.expectedType || !this.isTransformEnabled || !this.toValidate(metadata)) {
      return super.transform(value, metadata);
    }
    if (metadata.type === 'body') {
      const dto = metatype as new () => object;
      if (fastValidator(dto, { closed: true })?.(value)) return plainToInstance(dto, value, this.transformOptions);
      return super.transform(value, metadata);
    }
    if (metadata.type !== 'query' || !isQueryStrings(value)) return super.transform(value, metadata);
    const key = JSON.stringify(value);
    let byQuery = this.remembered.get(metatype);
    const known = byQuery?.get(key);
    if (known) return copyOf(known);
    const dto = (await super.transform(value, metadata)) as object;
    if (!byQuery || byQuery.size >= MAX_REMEMBERED_QUERIES) this.remembered.set(metatype, (byQuery = new Map()));
    byQuery.set(key, dto);
    return copyOf(dto);
  }
}

/** A query string as Fastify parses it: names to a string, or to strings when repeated. */
function isQueryStrings(value: unknown): value is Record<string, string | string[]> {
  if (value === null || typeof value !== 'object') return false;
  for (const field of Object.values(value)) {
    if (typeof field !== 'string' && !(Array.isArray(field) && field.every((item) => typeof item === 'string'))) return false;
  }
  return true;
}

/** The DTO's own fields on a new instance of its class (a query DTO's fields are strings, numbers, booleans or lists). */
function copyOf(dto: object): object {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(dto) as object | null) as object, dto) as Record<string, unknown>;
  for (const [field, item] of Object.entries(copy)) if (Array.isArray(item)) copy[field] = [...(item as unknown[])];
  return copy;
}

/**
 * The options of the one validation pipe: unknown properties are rejected, not dropped; every bad field is listed in
 * the problem document. (Nest's own pipe with these options is what its shortcuts must agree with.)
 */
export const VALIDATION_PIPE_OPTIONS: ValidationPipeOptions = {
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
};

/** The one validation pipe, with the shortcuts of ShortcutValidationPipe. */
export function createValidationPipe(): ValidationPipe {
  return new ShortcutValidationPipe(VALIDATION_PIPE_OPTIONS);
}
