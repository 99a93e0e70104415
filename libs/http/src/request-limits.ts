import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { ProblemError, type FieldProblem } from './problem.js';

/** Deeper than any request this API defines (a report is 3 levels deep); class-transformer recurses once per level. */
export const MAX_REQUEST_DEPTH = 32;

/**
 * What no endpoint can store or safely transform, checked on the parsed body,
 * query and path parameters before any guard, pipe or handler sees them:
 * nesting past MAX_REQUEST_DEPTH (class-transformer would overflow the stack),
 * and strings or keys with a NUL character or an unpaired UTF-16 surrogate
 * (PostgreSQL rejects both in text and jsonb), and keys named like
 * Object.prototype's properties (`__proto__`, `constructor`, `valueOf`...),
 * which the validation pipe would drop or let through instead of refusing
 * them as unknown; and arrays of arrays, which @ValidateNested lets through
 * where it expects objects. Iterative, so a hostile depth
 * cannot overflow this check either. Returns the problem, or undefined.
 */
export function unstorableInput(input: unknown, where: 'body' | 'query' | 'path'): ProblemError | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: input, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!storable(value)) return unstorable(where);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_REQUEST_DEPTH) {
      return new ProblemError(
        400,
        'too-deep',
        'The request is nested too deeply',
        `The ${where} is nested more than ${MAX_REQUEST_DEPTH} levels deep.`,
      );
    }
    // class-validator's @ValidateNested accepts an array where an object is expected (it validates its items), so
    // `effects: [[]]` would pass validation with no fields at all. No request of this API holds an array of arrays.
    if (Array.isArray(value) && value.some((item) => Array.isArray(item))) {
      return new ProblemError(400, 'validation-failed', 'The request is not valid', `The ${where} holds an array inside an array.`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (!storable(key)) return unstorable(where);
      if (PROTOTYPE_KEYS.has(key)) {
        return new ProblemError(400, 'validation-failed', 'The request is not valid', `${key} is not a known property.`, [
          { field: key, message: `${key} is not a known property` },
        ]);
      }
      stack.push({ value: item, depth: depth + 1 });
    }
  }
  return undefined;
}

// Names on Object.prototype: class-transformer drops `__proto__` and `constructor` silently, and class-validator's
// whitelist looks property names up in a plain object, so `valueOf` or `toString` pass it. No request defines any of them.
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

// eslint-disable-next-line no-control-regex -- the NUL character is exactly what this looks for
const NUL_OR_UNPAIRED_SURROGATE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function storable(text: string): boolean {
  return !NUL_OR_UNPAIRED_SURROGATE.test(text);
}

function unstorable(where: string): ProblemError {
  return new ProblemError(
    400,
    'unstorable-text',
    'The request holds text that cannot be stored',
    `The ${where} contains a NUL character or an unpaired UTF-16 surrogate.`,
  );
}

const WRITES = ['POST', 'PUT', 'PATCH'];

/**
 * Every write of this API takes a JSON body, and nothing else: Nest's Fastify
 * adapter would parse an `application/x-www-form-urlencoded` body into an
 * object (an empty one into `{}`, a valid empty follow-up), so any other
 * declared media type is a 415, whether a body came or not.
 */
export function unsupportedMediaType(method: string, contentType: string | undefined): ProblemError | undefined {
  if (!WRITES.includes(method) || contentType === undefined || /^application\/json\b/i.test(contentType.trim())) return undefined;
  return new ProblemError(415, 'unsupported-media-type', 'Unsupported Media Type', 'Send the request body as application/json.');
}

/**
 * Fastify does not parse an empty body, and the validation pipe turns a
 * missing body into `{}`: without this a POST with no body would pass as an
 * empty request object.
 */
export function missingBody(method: string, body: unknown): ProblemError | undefined {
  if (body !== undefined || !WRITES.includes(method)) return undefined;
  return new ProblemError(400, 'validation-failed', 'The request is not valid', 'The request needs a JSON body.');
}

/**
 * Every body this API takes is a JSON object; `null`, an array or a bare
 * value would otherwise reach a handler unvalidated (the validation pipe
 * passes them through).
 */
export function notAnObjectBody(body: unknown): ProblemError | undefined {
  if (body === undefined || (body !== null && typeof body === 'object' && !Array.isArray(body))) return undefined;
  return new ProblemError(400, 'validation-failed', 'The request is not valid', 'The request body must be a JSON object.');
}

/**
 * After the validation pipe: every property validated as a nested object
 * (@ValidateNested) holds an object, and every item of a nested list is an
 * object. class-validator validates the items of an array it finds where it
 * expects an object, so `patient: []` or `effects: [[]]` would pass with no
 * field checked at all.
 */
@Injectable()
export class NestedObjectsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    // A route that takes a request DTO gets a JSON object: a POST with no body at all (or one of another content type
    // that was never parsed) would otherwise reach its handler as undefined.
    const takesDto = typeof metadata.metatype === 'function' && !PLAIN_TYPES.has(metadata.metatype);
    if (takesDto && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'The request body must be a JSON object.');
    }
    const errors: FieldProblem[] = [];
    checkNested(value, '', errors, 0);
    if (errors.length > 0)
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'One or more fields are invalid.', errors);
    return value;
  }
}

const PLAIN_TYPES = new Set<unknown>([Object, Array, String, Number, Boolean]);

const NESTED_RULES = new Map<unknown, ValidationMetadata[]>();

/** A class's @ValidateNested rules: fixed once its decorators have run, so looked up once, not per request. */
function nestedRules(target: object['constructor']): ValidationMetadata[] {
  let rules = NESTED_RULES.get(target);
  if (!rules) {
    rules = getMetadataStorage()
      .getTargetValidationMetadatas(target, '', true, false)
      .filter((rule) => rule.type === ValidationTypes.NESTED_VALIDATION);
    NESTED_RULES.set(target, rules);
  }
  return rules;
}

function checkNested(value: unknown, path: string, errors: FieldProblem[], depth: number): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || depth > MAX_REQUEST_DEPTH) return;
  for (const rule of nestedRules(value.constructor)) {
    const child = (value as Record<string, unknown>)[rule.propertyName];
    const field = path ? `${path}.${rule.propertyName}` : rule.propertyName;
    if (child === undefined || child === null) continue;
    const items =
      rule.each && Array.isArray(child) ? child.map((item, index) => [`${field}[${index}]`, item] as const) : [[field, child] as const];
    for (const [where, item] of items) {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        errors.push({ field: where, message: `${where} must be an object` });
      else checkNested(item, where, errors, depth + 1);
    }
  }
}
