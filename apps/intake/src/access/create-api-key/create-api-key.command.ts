import { Command } from '@nestjs/cqrs';
import type { Role } from '@smp/auth';

export interface CreatedApiKey {
  keyId: string;
  role: Role;
  clinicId: string | null;
  /** Shown once; only its hash is stored. */
  key: string;
}

export class CreateApiKeyCommand extends Command<CreatedApiKey> {
  constructor(
    readonly role: Role,
    readonly clinicId: string | null,
  ) {
    super();
  }
}
