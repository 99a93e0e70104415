import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '@smp/auth';
import type { Clinic } from '../registry.repository.js';
import { RegisterClinicCommand } from './register-clinic.command.js';
import { RegisterClinicRequestDto } from './register-clinic.request.dto.js';

@Controller('v1/clinics')
export class RegisterClinicHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  register(@Body() body: RegisterClinicRequestDto): Promise<Clinic> {
    return this.commands.execute(new RegisterClinicCommand(body));
  }
}
