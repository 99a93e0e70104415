import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '@smp/auth';
import type { Pigment } from '../registry.repository.js';
import { RegisterPigmentCommand } from './register-pigment.command.js';
import { RegisterPigmentRequestDto } from './register-pigment.request.dto.js';

@Controller('v1/pigments')
export class RegisterPigmentHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  register(@Body() body: RegisterPigmentRequestDto): Promise<Pigment> {
    return this.commands.execute(new RegisterPigmentCommand(body));
  }
}
