import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { OUTCOMES, SIDE_EFFECT_CATEGORIES, type Outcome, type SideEffectCategory } from '@smp/domain';
import { SideEffectDto } from '../submit-report/submit-report.request.dto.js';

export class FollowUpReportRequestDto {
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of ${OUTCOMES.join(', ')}` })
  outcome?: Outcome;

  /** New side effects, or a new account of one already reported (same category). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => SideEffectDto)
  addEffects?: SideEffectDto[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SIDE_EFFECT_CATEGORIES.length)
  @ArrayUnique({ message: 'withdrawCategories must not repeat a category' })
  @IsIn(SIDE_EFFECT_CATEGORIES, { each: true, message: `each withdrawn category must be one of ${SIDE_EFFECT_CATEGORIES.join(', ')}` })
  withdrawCategories?: SideEffectCategory[];

  @IsOptional()
  @IsBoolean()
  medicalIntervention?: boolean;

  @IsOptional()
  @IsBoolean()
  hospitalized?: boolean;

  /** What a doctor found or did: personal data, kept in intake only. Restarts the reporting clock of a serious case. */
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  medicalInformation?: string;
}
