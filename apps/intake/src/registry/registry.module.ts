import { Module } from '@nestjs/common';
import { RegisterClinicHandler } from './register-clinic/register-clinic.handler.js';
import { RegisterClinicHttpController } from './register-clinic/register-clinic.http.controller.js';
import { RegisterPigmentHandler } from './register-pigment/register-pigment.handler.js';
import { RegisterPigmentHttpController } from './register-pigment/register-pigment.http.controller.js';
import { RegistryRepository } from './registry.repository.js';

@Module({
  controllers: [RegisterClinicHttpController, RegisterPigmentHttpController],
  providers: [RegistryRepository, RegisterClinicHandler, RegisterPigmentHandler],
  exports: [RegistryRepository],
})
export class RegistryModule {}
