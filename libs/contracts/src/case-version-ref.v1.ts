import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

/** What every case event names: the case, its version, and where the procedure was done with which pigment. */
export abstract class CaseVersionRefV1 {
  @IsString()
  @Matches(/^SMP-\d{4}-\d{6,}$/)
  caseId: string;

  @IsInt()
  @Min(1)
  caseVersion: number;

  @IsString()
  @MaxLength(64)
  clinicId: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  pigmentId?: string;
}
