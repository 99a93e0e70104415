import { Command } from '@nestjs/cqrs';
import type { Pigment } from '../registry.repository.js';
import type { RegisterPigmentRequestDto } from './register-pigment.request.dto.js';

export class RegisterPigmentCommand extends Command<Pigment> {
  constructor(readonly pigment: RegisterPigmentRequestDto) {
    super();
  }
}
