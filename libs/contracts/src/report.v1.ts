import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, Matches, ValidateNested } from 'class-validator';
import { CaseVersionRefV1 } from './case-version-ref.v1.js';
import {
  OUTCOMES,
  SERIOUS_REASONS,
  SEVERITIES,
  SIDE_EFFECT_CATEGORIES,
  type Outcome,
  type SeriousReason,
  type Severity,
  type SideEffectCategory,
} from '@smp/domain';

export const REPORT_SUBMITTED_V1 = 'org.smpvigil.report.submitted.v1';
export const REPORT_AMENDED_V1 = 'org.smpvigil.report.amended.v1';
export const REPORT_NULLIFIED_V1 = 'org.smpvigil.report.nullified.v1';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ReportEffectV1 {
  @IsIn(SIDE_EFFECT_CATEGORIES)
  category: SideEffectCategory;

  @IsIn(SEVERITIES)
  severity: Severity;

  @Matches(DATE)
  onsetDate: string;

  @IsBoolean()
  persistent: boolean;
}

/**
 * A case version as published on `smp.reports.v1` (submitted, amended or
 * nullified), with its whole current effect set. No personal data.
 */
export class ReportV1 extends CaseVersionRefV1 {
  @Matches(DATE)
  procedureDate: string;

  @IsBoolean()
  serious: boolean;

  @IsArray()
  @IsIn(SERIOUS_REASONS, { each: true })
  seriousReasons: SeriousReason[];

  @IsOptional()
  @Matches(DATE)
  reportingDueBy?: string;

  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: Outcome;

  @IsBoolean()
  nullified: boolean;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ReportEffectV1)
  effects: ReportEffectV1[];
}
