import { IsISO31661Alpha2, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const CLINIC_REGISTERED_V1 = 'org.smpvigil.clinic.registered.v1';
export const PIGMENT_REGISTERED_V1 = 'org.smpvigil.pigment.registered.v1';

/**
 * A clinic as registered, on `smp.clinics.v1` keyed by clinic id: the read
 * side learns names and countries from these, never from the intake's tables.
 */
export class ClinicRegisteredV1 {
  @Matches(/^CLN-\d{5,}$/)
  clinicId: string;

  @IsString()
  @MaxLength(200)
  name: string;

  @IsISO31661Alpha2()
  country: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;
}

/** A pigment batch as registered, on `smp.pigments.v1` keyed by pigment id. */
export class PigmentRegisteredV1 {
  @Matches(/^PIG-\d{5,}$/)
  pigmentId: string;

  @IsString()
  @MaxLength(200)
  manufacturer: string;

  @IsString()
  @MaxLength(200)
  product: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  shade?: string;

  @IsString()
  @MaxLength(200)
  batch: string;
}
