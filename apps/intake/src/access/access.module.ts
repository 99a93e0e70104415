import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { BootstrapAdminKey } from './bootstrap-admin-key.service.js';
import { CreateApiKeyHandler } from './create-api-key/create-api-key.handler.js';
import { CreateApiKeyHttpController } from './create-api-key/create-api-key.http.controller.js';

@Module({
  imports: [RegistryModule],
  controllers: [CreateApiKeyHttpController],
  providers: [CreateApiKeyHandler, BootstrapAdminKey],
})
export class AccessModule {}
