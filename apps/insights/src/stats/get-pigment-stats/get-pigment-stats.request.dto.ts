import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageRequestDto } from '../../read-model/paging.js';
import { StatsFilterDto } from '../../read-model/stats-filter.dto.js';

export const PIGMENT_LEVELS = ['manufacturer', 'product', 'batch'] as const;
export type PigmentLevel = (typeof PIGMENT_LEVELS)[number];

/** The grouping, the filters and the page (rows come a page at a time: see PageRequestDto). */
export class GetPigmentStatsRequestDto extends IntersectionType(StatsFilterDto, PageRequestDto) {
  @ApiPropertyOptional({ enum: PIGMENT_LEVELS, default: 'batch' })
  @IsOptional()
  @IsIn(PIGMENT_LEVELS, { message: `groupBy must be one of ${PIGMENT_LEVELS.join(', ')}` })
  groupBy?: PigmentLevel;

  @ApiPropertyOptional({ description: 'true: one row per procedure month too (the trend)', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'byMonth must be true or false' })
  byMonth?: boolean;
}
