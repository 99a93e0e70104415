import { Matches } from 'class-validator';

export class ClinicIdParamDto {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'clinicId must be 1-64 letters, digits, dots, dashes or underscores' })
  clinicId: string;
}
