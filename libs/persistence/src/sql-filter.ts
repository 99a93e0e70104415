/**
 * A WHERE clause built from optional filters with numbered parameters, so
 * that every value reaches Postgres as a bind parameter and never as SQL text.
 */
export class SqlFilter {
  private readonly conditions: string[] = [];

  constructor(readonly params: unknown[] = []) {}

  /** The next parameter placeholder for `value`. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds `condition(placeholder)` when `value` is given (not undefined or null). */
  when<T>(value: T | undefined | null, condition: (placeholder: string) => string): this {
    if (value !== undefined && value !== null) this.conditions.push(condition(this.param(value)));
    return this;
  }

  always(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  get where(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }

  get and(): string {
    return this.conditions.length === 0 ? '' : `AND ${this.conditions.join(' AND ')}`;
  }
}
