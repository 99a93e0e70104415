import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { OUTCOMES, SEVERITIES, type Outcome, type Severity } from '@smp/domain';
import { IsIdentifier } from '@smp/http';
import { PageRequestDto } from '../../read-model/paging.js';
import { StatsFilterDto } from '../../read-model/stats-filter.dto.js';

export const COUNT_FIELDS = ['category', 'manufacturer', 'product', 'batch', 'country', 'clinic', 'month', 'outcome', 'severity'] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

export class CountTermsRequestDto extends IntersectionType(StatsFilterDto, PageRequestDto) {
  @ApiProperty({ enum: COUNT_FIELDS, description: 'The field whose terms are counted' })
  @IsIn(COUNT_FIELDS, { message: `field must be one of ${COUNT_FIELDS.join(', ')}` })
  field: CountField;

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
