import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiKeyStore } from '@smp/auth';
import { ProblemError } from '@smp/http';
import { RevokeApiKeyCommand } from './revoke-api-key.command.js';

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand, void> {
  constructor(private readonly keys: ApiKeyStore) {}

  async execute({ keyId }: RevokeApiKeyCommand): Promise<void> {
    if (!(await this.keys.revoke(keyId))) {
      throw new ProblemError(404, 'not-found', 'Not Found', `There is no API key ${keyId}.`);
    }
  }
}
