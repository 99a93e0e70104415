import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  OUTCOMES,
  REPORTER_TYPES,
  SEVERITIES,
  SEXES,
  SIDE_EFFECT_CATEGORIES,
  SKIN_CONDITIONS,
  type Outcome,
  type ReporterType,
  type Severity,
  type Sex,
  type SideEffectCategory,
  type SkinCondition,
} from '@smp/domain';
import { IsCalendarDate, IsIdentifier } from '@smp/http';

const oneOf = (name: string, values: readonly string[]) => ({ message: `${name} must be one of ${values.join(', ')}` });

export class SideEffectDto {
  @IsIn(SIDE_EFFECT_CATEGORIES, oneOf('category', SIDE_EFFECT_CATEGORIES))
  category: SideEffectCategory;

  @IsCalendarDate()
  onsetDate: string;

  @IsIn(SEVERITIES, oneOf('severity', SEVERITIES))
  severity: Severity;

  /** Still present, or expected to last (decides seriousness for migration and discoloration). */
  @IsOptional()
  @IsBoolean()
  persistent?: boolean;

  /** Free text: personal data, kept in intake only. */
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  description?: string;
}

export class ContactDto {
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ()-]{5,30}$/, { message: 'phone must be a phone number' })
  phone?: string;
}

export class ReporterDto {
  @IsIn(REPORTER_TYPES, oneOf('type', REPORTER_TYPES))
  type: ReporterType;

  @IsOptional()
  @ValidateNested()
  @Type(() => ContactDto)
  contact?: ContactDto;
}

export class PatientDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  ageYears?: number;

  @IsOptional()
  @IsIn(SEXES, oneOf('sex', SEXES))
  sex?: Sex;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SKIN_CONDITIONS.length)
  @ArrayUnique({ message: 'skinConditions must not repeat a condition' })
  @IsIn(SKIN_CONDITIONS, { each: true, ...oneOf('each skin condition', SKIN_CONDITIONS) })
  skinConditions?: SkinCondition[];
}

export class RiskFactorsDto {
  @IsOptional()
  @IsBoolean()
  aftercareFollowed?: boolean;

  @IsOptional()
  @IsBoolean()
  sunExposureWithoutProtection?: boolean;

  @IsOptional()
  @IsBoolean()
  patchTestDone?: boolean;
}

export class SubmitReportRequestDto {
  /** Required unless procedureRef is given. */
  @ValidateIf((report: SubmitReportRequestDto) => report.procedureRef === undefined || report.clinicId !== undefined)
  @IsIdentifier({ whenMissing: 'clinicId is required unless procedureRef is given' })
  clinicId: string;

  /** The reference the clinic gave at the procedure; it fixes clinic, pigment and procedure date. */
  @IsOptional()
  @Matches(/^PR-[A-Z2-9]{10}$/, { message: 'procedureRef must look like PR-7KQ2M9XHTA' })
  procedureRef?: string;

  @IsOptional()
  @IsIdentifier()
  pigmentId?: string;

  /** Required unless procedureRef is given. */
  @ValidateIf((report: SubmitReportRequestDto) => report.procedureRef === undefined || report.procedureDate !== undefined)
  @IsCalendarDate()
  procedureDate: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  sessionNumber?: number;

  @IsDefined({ message: 'reporter is required' })
  @ValidateNested()
  @Type(() => ReporterDto)
  reporter: ReporterDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => PatientDto)
  patient?: PatientDto;

  @IsArray()
  @ArrayMinSize(1, { message: 'effects must list at least one side effect' })
  @ArrayMaxSize(10, { message: 'effects must list at most 10 side effects' })
  @ValidateNested({ each: true })
  @Type(() => SideEffectDto)
  effects: SideEffectDto[];

  @IsOptional()
  @IsIn(OUTCOMES, oneOf('outcome', OUTCOMES))
  outcome?: Outcome;

  @IsOptional()
  @IsBoolean()
  medicalIntervention?: boolean;

  @IsOptional()
  @IsBoolean()
  hospitalized?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => RiskFactorsDto)
  riskFactors?: RiskFactorsDto;

  /** Free text: personal data, kept in intake only. */
  @IsOptional()
  @IsString()
  @MaxLength(5_000)
  narrative?: string;
}
