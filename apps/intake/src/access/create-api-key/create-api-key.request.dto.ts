import { IsIn, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '@smp/auth';
import { IsIdentifier } from '@smp/http';

export class CreateApiKeyRequestDto {
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  /** Required for a clinic key, forbidden otherwise. */
  @ValidateIf((dto: CreateApiKeyRequestDto) => dto.role === 'clinic' || dto.clinicId !== undefined)
  @IsIdentifier({ whenMissing: 'clinicId is required for a clinic key' })
  clinicId?: string;
}
