import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const PROCEDURES_RECORDED_V1 = 'org.smpvigil.procedures.recorded.v1';

/**
 * Procedures a clinic performed on one day with one pigment (the denominator
 * of every incidence rate), as published on `smp.procedures.v1`, keyed by clinic.
 */
export class ProceduresRecordedV1 {
  @IsString()
  @MaxLength(64)
  procedureRef: string;

  @IsString()
  @MaxLength(64)
  clinicId: string;

  @IsString()
  @MaxLength(64)
  pigmentId: string;

  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  procedureDate: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  sessionNumber?: number;

  @IsInt()
  @Min(1)
  @Max(10_000)
  count: number;
}
