import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { RegistryRepository, type Clinic } from '../registry.repository.js';
import { RegisterClinicCommand } from './register-clinic.command.js';

@CommandHandler(RegisterClinicCommand)
export class RegisterClinicHandler implements ICommandHandler<RegisterClinicCommand, Clinic> {
  constructor(private readonly registry: RegistryRepository) {}

  execute({ clinic }: RegisterClinicCommand): Promise<Clinic> {
    return this.registry.addClinic({ name: clinic.name, country: clinic.country.toUpperCase(), region: clinic.region ?? null });
  }
}
