import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isIsoDate, isIsoMonth } from '@smp/domain';

/** A real calendar date written YYYY-MM-DD. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIsoDate(value),
        defaultMessage: (args) => `${args?.property} must be a real date written YYYY-MM-DD`,
      },
    },
    options,
  );
}

/** A month written YYYY-MM. */
export function IsCalendarMonth(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarMonth',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIsoMonth(value),
        defaultMessage: (args) => `${args?.property} must be a month written YYYY-MM`,
      },
    },
    options,
  );
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * An id of a clinic, pigment or the like: 1-64 letters, digits, dots, dashes
 * or underscores. `whenMissing` words the error when a conditionally required
 * id is absent.
 */
export function IsIdentifier(options: { whenMissing?: string } = {}): PropertyDecorator {
  return ValidateBy({
    name: 'isIdentifier',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && IDENTIFIER.test(value),
      defaultMessage: (args) =>
        args?.value === undefined && options.whenMissing
          ? options.whenMissing
          : `${args?.property} must be 1-64 letters, digits, dots, dashes or underscores`,
    },
  });
}

/** `:clinicId` in a route. */
export class ClinicIdParamDto {
  @IsIdentifier()
  clinicId: string;
}
