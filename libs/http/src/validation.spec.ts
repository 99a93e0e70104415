import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max } from 'class-validator';
import { createValidationPipe } from './validation.js';
import { ProblemError } from './problem.js';

class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Max(1000)
  limit?: number;

  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: string;
}

class YearQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Max(2100)
  limit?: number;
}

const asQuery = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });

describe('the validation pipe with query strings it has seen before', () => {
  it('gives each request its own DTO, transformed as the first time', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform({ limit: '50', order: 'desc' }, asQuery(PageQuery))) as PageQuery;
    first.limit = 7; // a handler changing its DTO changes no one else's
    const again = (await pipe.transform({ limit: '50', order: 'desc' }, asQuery(PageQuery))) as PageQuery;
    expect(again).toBeInstanceOf(PageQuery);
    expect(again).toEqual(Object.assign(new PageQuery(), { limit: 50, order: 'desc' }));
    expect(again).not.toBe(first);
  });

  it('refuses a bad query every time it comes, naming the field', async () => {
    const pipe = createValidationPipe();
    for (let time = 0; time < 2; time++) {
      const refused = await pipe.transform({ limit: '5000' }, asQuery(PageQuery)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ProblemError);
      expect((refused as ProblemError).errors).toEqual([{ field: 'limit', message: 'limit must not be greater than 1000' }]);
    }
  });

  it('keeps what it remembers per DTO class: the same query string can pass one and fail another', async () => {
    const pipe = createValidationPipe();
    expect(await pipe.transform({ limit: '1500' }, asQuery(YearQuery))).toEqual(Object.assign(new YearQuery(), { limit: 1500 }));
    await expect(pipe.transform({ limit: '1500' }, asQuery(PageQuery))).rejects.toBeInstanceOf(ProblemError);
    await expect(pipe.transform({ limit: '1500', unknown: 'x' }, asQuery(YearQuery))).rejects.toBeInstanceOf(ProblemError);
  });
});
