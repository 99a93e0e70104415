import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ProblemError } from '@smp/http';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
const limitMessage = { message: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` };

/**
 * A page of an answer whose rows come a page at a time: `limit` rows after the row `cursor` names. Cursors name a
 * row by its sort key (not by its position), so a page followed after the read models changed starts after the
 * same row, not after whatever moved into its place.
 */
export class PageRequestDto {
  @ApiPropertyOptional({
    default: DEFAULT_PAGE_SIZE,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    description: 'Rows per page; follow nextCursor for the rest',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt(limitMessage)
  @Min(1, limitMessage)
  @Max(MAX_PAGE_SIZE, limitMessage)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

/** A row's sort key, as a cursor carries it. */
export type CursorKey = ReadonlyArray<string | number | null>;

/** What each position of a cursor's key must be. */
export type CursorShape = ReadonlyArray<'string' | 'string or null' | 'integer' | 'number or null'>;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor names, when it has `shape`; otherwise a 400 problem naming the cursor. */
export function decodeCursor(cursor: string, shape: CursorShape): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === shape.length && shape.every((kind, i) => fits(kind, key[i]))) return key as CursorKey;
  } catch {
    // falls through to the problem below
  }
  throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'cursor is not a nextCursor this endpoint gave.', [
    { field: 'cursor', message: 'cursor must be the nextCursor of a previous page' },
  ]);
}

function fits(kind: CursorShape[number], value: unknown): boolean {
  if (kind === 'string') return typeof value === 'string';
  if (kind === 'string or null') return value === null || typeof value === 'string';
  if (kind === 'integer') return Number.isSafeInteger(value);
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

export interface Page<T> {
  /** How many rows the answer has over all its pages. */
  totalRows: number;
  rows: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Rows in order, read by position: an array, or a list that makes only the rows read (see pageOf). */
export interface SortedRows<T> {
  readonly length: number;
  at(index: number): T | undefined;
}

/**
 * The page of `sorted` (sorted by `compare` of their keys) after the row the request's cursor names: its first row is
 * the first whose key sorts after the cursor's. `view` makes the page's rows, and only theirs. Reads a page's rows and
 * a binary search's, not the rest.
 */
export function pageOf<T, R>(
  sorted: SortedRows<T>,
  request: PageRequestDto,
  order: { keyOf: (row: T) => CursorKey; compare: (x: CursorKey, y: CursorKey) => number; shape: CursorShape },
  view: (row: T) => R,
): Page<R> {
  const after = request.cursor ? decodeCursor(request.cursor, order.shape) : null;
  let start = 0;
  if (after) {
    // Binary search: the first row whose key sorts after the cursor's.
    let high = sorted.length;
    while (start < high) {
      const middle = (start + high) >>> 1;
      if (order.compare(order.keyOf(sorted.at(middle)!), after) > 0) high = middle;
      else start = middle + 1;
    }
  }
  const end = Math.min(sorted.length, start + (request.limit ?? DEFAULT_PAGE_SIZE));
  return {
    totalRows: sorted.length,
    rows: Array.from({ length: end - start }, (_, i) => view(sorted.at(start + i)!)),
    nextCursor: end < sorted.length && end > start ? encodeCursor(order.keyOf(sorted.at(end - 1)!)) : null,
  };
}

/** Compares strings by code unit, as the cursors' keys are ordered. */
export const compareText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
