import { IsISO31661Alpha2, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class RegisterClinicRequestDto {
  @IsString()
  @Length(1, 200)
  name: string;

  /** ISO 3166-1 alpha-2, e.g. GB, US, DE. */
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 code such as GB' })
  country: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  region?: string;
}
