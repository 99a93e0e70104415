import fc from 'fast-check';

/** A calendar month, YYYY-MM, from 2018 to 2028. */
export const calendarMonth = fc
  .record({ year: fc.integer({ min: 2018, max: 2028 }), month: fc.integer({ min: 1, max: 12 }) })
  .map(({ year, month }) => `${year}-${String(month).padStart(2, '0')}`);

/** A window of months [from, to], either end open (undefined), never reversed. */
export const monthWindow = fc
  .tuple(fc.option(calendarMonth, { nil: undefined }), fc.option(calendarMonth, { nil: undefined }))
  .map(([a, b]) => (a && b && a > b ? [b, a] : [a, b]) as [string | undefined, string | undefined]);
