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
