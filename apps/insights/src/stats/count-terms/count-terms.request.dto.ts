import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { OUTCOMES, SEVERITIES, type Outcome, type Severity } from '@smp/domain';
import { IsIdentifier } from '@smp/http';
import { StatsFilterDto } from '../../read-model/stats-filter.dto.js';

export const COUNT_FIELDS = ['category', 'manufacturer', 'product', 'batch', 'country', 'clinic', 'month', 'outcome', 'severity'] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

export class CountTermsRequestDto extends StatsFilterDto {
  @ApiProperty({ enum: COUNT_FIELDS, description: 'The field whose terms are counted' })
  @IsIn(COUNT_FIELDS, { message: `field must be one of ${COUNT_FIELDS.join(', ')}` })
  field: CountField;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000, description: 'Terms per page; follow nextCursor for the rest' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 1000' })
  @Min(1, { message: 'limit must be a whole number from 1 to 1000' })
  @Max(1000, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ example: 'Scalp Ink Co' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  manufacturer?: string;

  @ApiPropertyOptional({ example: 'Midnight' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  product?: string;

  @ApiPropertyOptional({ example: 'B-2026-07' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  batch?: string;

  @ApiPropertyOptional({ example: 'CLN-00001' })
  @IsOptional()
  @IsIdentifier()
  clinicId?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES, { message: `severity must be one of ${SEVERITIES.join(', ')}` })
  severity?: Severity;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of ${OUTCOMES.join(', ')}` })
  outcome?: Outcome;

  @ApiPropertyOptional({ description: 'true: serious reports only; false: non-serious only' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'serious must be true or false' })
  serious?: boolean;
}
