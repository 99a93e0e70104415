import { IsIn, IsOptional } from 'class-validator';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { IsCalendarMonth } from '@smp/http';

export class GetClinicIncidenceRequestDto {
  /** First procedure month, YYYY-MM (inclusive). */
  @IsOptional()
  @IsCalendarMonth()
  from?: string;

  /** Last procedure month, YYYY-MM (inclusive). */
  @IsOptional()
  @IsCalendarMonth()
  to?: string;

  @IsOptional()
  @IsIn(SIDE_EFFECT_CATEGORIES, { message: `category must be one of ${SIDE_EFFECT_CATEGORIES.join(', ')}` })
  category?: SideEffectCategory;
}
