import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * The public figures come per calendar year only. Overlapping periods would
 * let a reader subtract one response from another (January–June minus
 * January–May is June) and recover withheld counts; whole years never overlap.
 */
export class PublicYearDto {
  @ApiPropertyOptional({ example: 2026, description: 'Calendar year of the procedures; default: the current year' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be a year such as 2026' })
  @Min(2000, { message: 'year must be from 2000 on' })
  @Max(2100, { message: 'year must be before 2100' })
  year?: number;
}

export function yearOf(dto: PublicYearDto): { year: number; from: string; to: string } {
  const year = dto.year ?? new Date().getUTCFullYear();
  return { year, from: `${year}-01-01`, to: `${year}-12-01` };
}
