import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { BootstrapAdminKey } from './bootstrap-admin-key.service.js';
import { CreateApiKeyHandler } from './create-api-key/create-api-key.handler.js';
import { CreateApiKeyHttpController } from './create-api-key/create-api-key.http.controller.js';
import { RevokeApiKeyHandler } from './revoke-api-key/revoke-api-key.handler.js';
import { RevokeApiKeyHttpController } from './revoke-api-key/revoke-api-key.http.controller.js';

@Module({
  imports: [RegistryModule],
  controllers: [CreateApiKeyHttpController, RevokeApiKeyHttpController],
  providers: [CreateApiKeyHandler, RevokeApiKeyHandler, BootstrapAdminKey],
})
export class AccessModule {}
