import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { SEVERITIES, SIDE_EFFECT_CATEGORIES, type Severity, type SideEffectCategory } from '@smp/domain';
import { IsCalendarDate } from '@smp/http';

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class SideEffectDto {
  @IsIn(SIDE_EFFECT_CATEGORIES, { message: `category must be one of ${SIDE_EFFECT_CATEGORIES.join(', ')}` })
  category: SideEffectCategory;

  @IsCalendarDate()
  onsetDate: string;

  @IsIn(SEVERITIES, { message: `severity must be one of ${SEVERITIES.join(', ')}` })
  severity: Severity;
}

export class SubmitReportRequestDto {
  @IsString()
  @Matches(IDENTIFIER, { message: 'clinicId must be 1-64 letters, digits, dots, dashes or underscores' })
  clinicId: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(IDENTIFIER, { message: 'pigmentId must be 1-64 letters, digits, dots, dashes or underscores' })
  pigmentId?: string;

  @IsCalendarDate()
  procedureDate: string;

  @IsArray()
  @ArrayMinSize(1, { message: 'effects must list at least one side effect' })
  @ArrayMaxSize(10, { message: 'effects must list at most 10 side effects' })
  @ValidateNested({ each: true })
  @Type(() => SideEffectDto)
  effects: SideEffectDto[];
}
