import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationTypes } from 'class-validator';

export type ContractCheck<T> = { ok: true; data: T } | { ok: false; problems: string[] };

/**
 * Validates event data against a contract class. class-validator's decorators stay the contract:
 * the fast path is an ajv function compiled from exactly those decorators (each mapped to a JSON
 * Schema keyword at least as strict as the decorator), and whatever it does not accept goes through
 * plainToInstance + validateSync, whose verdict and messages decide. So the result is always
 * class-validator's; the compiled function only saves the ~15 µs an event of the reflective path on
 * the valid majority (see contract-validator.spec.ts, which checks both agree on generated payloads).
 */
export function checkContract<T extends object>(contract: new () => T, data: object): ContractCheck<T> {
  const fast = fastValidator(contract);
  if (fast?.(data)) return { ok: true, data: data as T };
  return checkWithClassValidator(contract, data);
}

/** The reference path: class-transformer and class-validator, as at every other boundary. */
export function checkWithClassValidator<T extends object>(contract: new () => T, data: object): ContractCheck<T> {
  const instance = plainToInstance(contract, data);
  const errors = validateSync(instance, { forbidUnknownValues: true, validationError: { target: false, value: false } });
  if (errors.length === 0) return { ok: true, data: instance };
  return {
    ok: false,
    problems: errors.flatMap((error) => Object.values(error.constraints ?? { [error.property]: `${error.property} is invalid` })),
  };
}

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

const compiled = new WeakMap<object, ValidateFunction | null>();
const ajv = new Ajv({
  allErrors: false,
  strict: true,
  // Patterns compile as class-validator's `matches` does: `new RegExp(source)`, no `u` flag.
  unicodeRegExp: false,
  // Not needed: the schema is built here from decorator metadata, not read from anywhere.
  validateSchema: false,
});

/** The compiled fast path of a contract, or null when one of its decorators has no exact mapping. */
export function fastValidator(contract: new () => object): ValidateFunction | null {
  let validate = compiled.get(contract);
  if (validate === undefined) {
    const schema = contractSchema(contract);
    validate = schema ? ajv.compile(schema) : null;
    compiled.set(contract, validate);
  }
  return validate;
}

/**
 * A JSON Schema whose every accepted value class-validator accepts too, built from the contract's
 * validation metadata (inherited ones included); null if any decorator falls outside the known set.
 * Each keyword carries the type its class-validator function checks (`@Min` alone rejects a string,
 * JSON Schema's `minimum` alone would not), and `maxLength` counts code points, never fewer than
 * validator.js's isLength counts.
 */
export function contractSchema(contract: new () => object): SchemaObject | null {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(contract, '', true, false);
  const byProperty = new Map<string, SchemaObject[]>();
  const optional = new Set<string>();
  for (const metadata of metadatas) {
    if (metadata.each || (metadata.groups?.length ?? 0) > 0 || metadata.always) return null;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION && metadata.name === 'isOptional') {
      optional.add(metadata.propertyName);
      continue;
    }
    const keyword = metadata.type === ValidationTypes.CUSTOM_VALIDATION ? toKeyword(metadata) : null;
    if (!keyword) return null;
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), keyword]);
  }
  const properties: Record<string, SchemaObject> = {};
  for (const [property, keywords] of byProperty) properties[property] = keywords.length === 1 ? keywords[0] : { allOf: keywords };
  // A property with only @IsOptional() is validated by nothing: any value passes.
  for (const property of optional) properties[property] ??= {};
  return {
    type: 'object',
    properties,
    required: [...byProperty.keys()].filter((property) => !optional.has(property)),
  };
}

function toKeyword(metadata: ValidationMetadata): SchemaObject | null {
  const [first, second] = (metadata.constraints ?? []) as unknown[];
  const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  switch (metadata.name) {
    case 'isString':
      return { type: 'string' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isInt':
      return { type: 'integer' };
    case 'min':
      return isNumber(first) ? { type: 'number', minimum: first } : null;
    case 'max':
      return isNumber(first) ? { type: 'number', maximum: first } : null;
    case 'maxLength':
      return isNumber(first) ? { type: 'string', maxLength: first } : null;
    case 'minLength':
      // Code points may count more than isLength's length (variation selectors): only safe for maxLength.
      return null;
    case 'isIn':
      return Array.isArray(first) && first.every((value) => typeof value === 'string') ? { type: 'string', enum: first } : null;
    case 'matches':
      // A RegExp without flags, tested as class-validator tests it (new RegExp(source) on a string).
      return first instanceof RegExp && first.flags === '' && (second === undefined || second === null)
        ? { type: 'string', pattern: first.source }
        : null;
    default:
      return null;
  }
}
