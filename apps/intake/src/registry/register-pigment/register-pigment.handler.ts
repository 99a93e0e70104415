import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ProblemError } from '@smp/http';
import { RegistryRepository, type Pigment } from '../registry.repository.js';
import { RegisterPigmentCommand } from './register-pigment.command.js';

@CommandHandler(RegisterPigmentCommand)
export class RegisterPigmentHandler implements ICommandHandler<RegisterPigmentCommand, Pigment> {
  constructor(private readonly registry: RegistryRepository) {}

  async execute({ pigment }: RegisterPigmentCommand): Promise<Pigment> {
    const added = await this.registry.addPigment({ ...pigment, shade: pigment.shade ?? null });
    if (!added) {
      throw new ProblemError(409, 'pigment-exists', 'Conflict', 'This manufacturer, product, shade and batch is already registered.');
    }
    return added;
  }
}
