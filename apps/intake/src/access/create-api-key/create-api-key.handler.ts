import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiKeyStore, generateApiKey } from '@smp/auth';
import { ProblemError } from '@smp/http';
import { RegistryRepository } from '../../registry/registry.repository.js';
import { unknownReference } from '../../registry/unknown-reference.error.js';
import { CreateApiKeyCommand, type CreatedApiKey } from './create-api-key.command.js';

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand, CreatedApiKey> {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly registry: RegistryRepository,
  ) {}

  async execute({ role, clinicId }: CreateApiKeyCommand): Promise<CreatedApiKey> {
    if (role !== 'clinic' && clinicId !== null) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'Only a clinic key belongs to a clinic.', [
        { field: 'clinicId', message: `clinicId must be absent for a ${role} key` },
      ]);
    }
    if (clinicId !== null && !(await this.registry.exists({ clinicId })).clinicId) {
      throw unknownReference('clinicId', clinicId);
    }
    const { key, hash } = generateApiKey(role);
    const keyId = await this.keys.add(hash, role, clinicId);
    return { keyId, role, clinicId, key };
  }
}
