import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, validateSync, ValidationTypes, type ValidationArguments } from 'class-validator';

export type ContractCheck<T> = { ok: true; data: T } | { ok: false; problems: string[] };

/**
 * Validates event data against a contract class. class-validator's decorators stay the contract:
 * the fast path is an ajv function compiled from exactly those decorators (see contractSchema),
 * and whatever it does not accept goes through plainToInstance + validateSync, whose verdict and
 * messages decide. So the result is always class-validator's; the compiled function only saves the
 * ~15 µs an event of the reflective path on the valid majority (see contract-validator.spec.ts,
 * which checks both agree on generated payloads).
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

export interface ContractSchemaOptions {
  /**
   * Properties without a decorator are rejected (`additionalProperties: false`, at every level), as class-validator's
   * `forbidNonWhitelisted` rejects them; without it they pass, as they do without `whitelist`.
   */
  closed?: boolean;
}

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
type Contract = new () => object;

/** What class-transformer's storage is asked here (its typed entry point does not export the storage). */
interface TransformerStorage {
  findTypeMetadata(target: Contract, property: string): { typeFunction: () => unknown; options?: { discriminator?: unknown } } | undefined;
  findTransformMetadatas(target: Contract, property: string, transformationType: number): unknown[];
  getExposedMetadatas(target: Contract): unknown[];
  getExcludedMetadatas(target: Contract): unknown[];
}
const transformerStorage = defaultMetadataStorage as TransformerStorage;
/** class-transformer's TransformationType.PLAIN_TO_CLASS. */
const PLAIN_TO_CLASS = 0;

/**
 * The constraints ajv cannot say itself, called as class-validator calls them (the `classValidator` keyword's value is
 * the constraint's position here).
 */
const bridged: Array<{ metadata: ValidationMetadata; validate: (value: unknown, args: ValidationArguments) => unknown }> = [];

const compiled = new Map<Contract, { open?: ValidateFunction | null; closed?: ValidateFunction | null }>();
const ajv = new Ajv({
  allErrors: false,
  strict: true,
  // Patterns compile as class-validator's `matches` does: `new RegExp(source)`, no `u` flag.
  unicodeRegExp: false,
  // Not needed: the schema is built here from decorator metadata, not read from anywhere.
  validateSchema: false,
});
ajv.addKeyword({
  keyword: 'classValidator',
  schemaType: 'number',
  errors: false,
  validate: (index: number, value: unknown, _schema?: unknown, data?: { parentData?: object }) => {
    const { metadata, validate } = bridged[index]!;
    const object = data?.parentData ?? {};
    const args: ValidationArguments = {
      targetName: metadata.target instanceof Function ? metadata.target.name : String(metadata.target),
      property: metadata.propertyName,
      object,
      value,
      constraints: metadata.constraints,
    };
    // Only a synchronous `true` passes: anything else (false, a promise) is left to class-validator.
    return validate(value, args) === true;
  },
});

/** The compiled fast path of a contract, or null when one of its decorators has no exact mapping. */
export function fastValidator(contract: Contract, options: ContractSchemaOptions = {}): ValidateFunction | null {
  const kind = options.closed ? 'closed' : 'open';
  const entry = compiled.get(contract) ?? {};
  compiled.set(contract, entry);
  let validate = entry[kind];
  if (validate === undefined) {
    const schema = contractSchema(contract, options);
    validate = entry[kind] = schema ? ajv.compile(schema) : null;
  }
  return validate;
}

/**
 * A JSON Schema whose every accepted value class-validator accepts too (after plainToInstance, as the reference path
 * and Nest's validation pipe run it), built from the contract's validation metadata (inherited ones included); null if
 * any decorator falls outside what it can say. It may be stricter than the decorators, never laxer: whatever it rejects
 * goes to class-validator, which decides.
 * - Each keyword carries the type its class-validator function checks (`@Min` alone rejects a string, JSON Schema's
 *   `minimum` alone would not), and `maxLength` counts code points, never fewer than validator.js's isLength counts.
 * - A constraint with no keyword of its own (`@IsEmail`, a `ValidateBy` of the project's) is called as class-validator
 *   calls it, through the `classValidator` keyword.
 * - `@ValidateIf` is left out: its property is validated whether or not the condition holds (stricter).
 * - `@ValidateNested` takes the schema of its `@Type`'s class; with `each`, of an array of them. (class-validator also
 *   takes an array of them without `each`, and a non-array with `each`: stricter again.)
 * - `@IsOptional()` leaves a property out of `required`, but a null value is not accepted (class-validator skips it).
 * - class-transformer must give back the value as it came: a contract with `@Transform`, `@Expose`, `@Exclude`, or a
 *   `@Type` that is not a nested class, has no schema.
 */
export function contractSchema(
  contract: Contract,
  options: ContractSchemaOptions = {},
  outer: readonly Contract[] = [],
): SchemaObject | null {
  if (outer.includes(contract)) return null; // a contract that nests itself
  if (transformerStorage.getExposedMetadatas(contract).length > 0 || transformerStorage.getExcludedMetadatas(contract).length > 0)
    return null;
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(contract, '', true, false);
  // class-validator rejects an object of a class it has no rules for (forbidUnknownValues).
  if (metadatas.length === 0) return null;
  const byProperty = new Map<string, SchemaObject[]>();
  const optional = new Set<string>();
  const properties: Record<string, SchemaObject> = {};
  for (const metadata of metadatas) {
    const property = metadata.propertyName;
    properties[property] ??= {};
    if ((metadata.groups?.length ?? 0) > 0 || metadata.always) return null;
    if (transformerStorage.findTransformMetadatas(contract, property, PLAIN_TO_CLASS).length > 0) return null;
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      if (metadata.name === 'isOptional') optional.add(property);
      continue;
    }
    const keyword = keywordOf(contract, metadata, options, [...outer, contract]);
    if (!keyword) return null;
    byProperty.set(property, [...(byProperty.get(property) ?? []), keyword]);
  }
  for (const property of Object.keys(properties)) {
    const type = transformerStorage.findTypeMetadata(contract, property);
    const nested = metadatas.some((metadata) => metadata.propertyName === property && metadata.type === ValidationTypes.NESTED_VALIDATION);
    if (type && !nested) return null;
  }
  // A property with only @IsOptional() or @ValidateIf() is validated by nothing: any value passes.
  for (const [property, keywords] of byProperty) properties[property] = keywords.length === 1 ? keywords[0]! : { allOf: keywords };
  return {
    type: 'object',
    properties,
    required: [...byProperty.keys()].filter((property) => !optional.has(property)),
    ...(options.closed ? { additionalProperties: false } : {}),
  };
}

function keywordOf(
  contract: Contract,
  metadata: ValidationMetadata,
  options: ContractSchemaOptions,
  outer: readonly Contract[],
): SchemaObject | null {
  switch (metadata.type) {
    case ValidationTypes.IS_DEFINED:
      return { not: { type: 'null' } };
    case ValidationTypes.NESTED_VALIDATION: {
      const type = transformerStorage.findTypeMetadata(contract, metadata.propertyName);
      if (!type || type.options?.discriminator) return null;
      const target = type.typeFunction();
      if (!(target instanceof Function)) return null;
      const schema = contractSchema(target as Contract, options, outer);
      if (!schema) return null;
      return metadata.each ? { type: 'array', items: schema } : schema;
    }
    case ValidationTypes.CUSTOM_VALIDATION: {
      const keyword = toKeyword(metadata) ?? bridge(metadata);
      if (!keyword) return null;
      return metadata.each ? { type: 'array', items: keyword } : keyword;
    }
    default:
      return null;
  }
}

/** The `classValidator` keyword for a constraint that is synchronous: class-validator's own function, called as it calls it. */
function bridge(metadata: ValidationMetadata): SchemaObject | null {
  const constraints = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
  if (constraints.length !== 1 || constraints[0]!.async) return null;
  const { instance } = constraints[0]!;
  bridged.push({ metadata, validate: (value, args) => instance.validate(value, args) });
  return { classValidator: bridged.length - 1 };
}

/** The ajv keyword that says a constraint exactly, or null (the constraint is then bridged). */
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
    case 'isArray':
      return { type: 'array' };
    case 'min':
      return isNumber(first) ? { type: 'number', minimum: first } : null;
    case 'max':
      return isNumber(first) ? { type: 'number', maximum: first } : null;
    case 'maxLength':
      return isNumber(first) ? { type: 'string', maxLength: first } : null;
    case 'arrayMinSize':
      return isNumber(first) ? { type: 'array', minItems: first } : null;
    case 'arrayMaxSize':
      return isNumber(first) ? { type: 'array', maxItems: first } : null;
    case 'minLength':
      // Code points may count more than isLength's length (variation selectors): only safe for maxLength. (Bridged.)
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
