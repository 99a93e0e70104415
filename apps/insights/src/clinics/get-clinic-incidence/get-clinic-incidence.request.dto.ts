import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { IsCalendarMonth } from '@smp/http';

export class ClinicIdParamDto {
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'clinicId must be 1-64 letters, digits, dots, dashes or underscores' })
  clinicId: string;
}

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
