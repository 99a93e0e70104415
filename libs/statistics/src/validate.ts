/**
 * Argument checks shared by the statistics functions. Bad input is a caller
 * bug (a negative count cannot come from a database COUNT), so it throws a
 * RangeError instead of quietly returning NaN that would end up in a chart.
 */

export function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

export function assertProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be in [0, 1], got ${value}`);
  }
}

export function assertPositive(name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
  }
}
