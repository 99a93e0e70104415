import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CASE_ID_PATTERN } from '@smp/domain';

export const NULLIFICATION_REASONS = ['duplicate', 'erroneous', 'withdrawn_by_reporter'] as const;

export class NullifyReportRequestDto {
  @IsIn(NULLIFICATION_REASONS, { message: `reason must be one of ${NULLIFICATION_REASONS.join(', ')}` })
  reason: (typeof NULLIFICATION_REASONS)[number];

  /** For a duplicate: the case it duplicates. */
  @IsOptional()
  @Matches(CASE_ID_PATTERN, { message: 'duplicateOf must look like SMP-2026-000042' })
  duplicateOf?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1_000)
  note?: string;
}
