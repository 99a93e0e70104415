import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '@smp/auth';
import { CreateApiKeyCommand, type CreatedApiKey } from './create-api-key.command.js';
import { CreateApiKeyRequestDto } from './create-api-key.request.dto.js';

@Controller('v1/admin/api-keys')
export class CreateApiKeyHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  create(@Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKey> {
    return this.commands.execute(new CreateApiKeyCommand(body.role, body.clinicId ?? null));
  }
}
