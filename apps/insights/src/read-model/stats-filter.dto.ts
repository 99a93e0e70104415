import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO31661Alpha2, IsOptional } from 'class-validator';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { IsCalendarMonth } from '@smp/http';

export const categoryMessage = { message: `category must be one of ${SIDE_EFFECT_CATEGORIES.join(', ')}` };

/** The period and category every statistics endpoint can be narrowed to. */
export class PeriodFilterDto {
  @ApiPropertyOptional({ example: '2026-01', description: 'First procedure month, YYYY-MM (inclusive)' })
  @IsOptional()
  @IsCalendarMonth()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12', description: 'Last procedure month, YYYY-MM (inclusive)' })
  @IsOptional()
  @IsCalendarMonth()
  to?: string;
}

export class StatsFilterDto extends PeriodFilterDto {
  @ApiPropertyOptional({ enum: SIDE_EFFECT_CATEGORIES })
  @IsOptional()
  @IsIn(SIDE_EFFECT_CATEGORIES, categoryMessage)
  category?: SideEffectCategory;

  @ApiPropertyOptional({ example: 'GB', description: "The clinics' country, ISO 3166-1 alpha-2" })
  @IsOptional()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as GB' })
  country?: string;
}
