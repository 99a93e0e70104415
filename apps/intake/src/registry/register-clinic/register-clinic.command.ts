import { Command } from '@nestjs/cqrs';
import type { Clinic } from '../registry.repository.js';
import type { RegisterClinicRequestDto } from './register-clinic.request.dto.js';

export class RegisterClinicCommand extends Command<Clinic> {
  constructor(readonly clinic: RegisterClinicRequestDto) {
    super();
  }
}
