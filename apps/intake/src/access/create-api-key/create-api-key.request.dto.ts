import { IsIn, Matches, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '@smp/auth';

export class CreateApiKeyRequestDto {
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  /** Required for a clinic key, forbidden otherwise. */
  @ValidateIf((dto: CreateApiKeyRequestDto) => dto.role === 'clinic' || dto.clinicId !== undefined)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: ({ value }) =>
      value === undefined ? 'clinicId is required for a clinic key' : 'clinicId must be 1-64 letters, digits, dots, dashes or underscores',
  })
  clinicId?: string;
}
