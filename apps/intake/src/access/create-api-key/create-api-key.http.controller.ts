import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import { CreateApiKeyCommand, type CreatedApiKey } from './create-api-key.command.js';
import { CreateApiKeyRequestDto } from './create-api-key.request.dto.js';

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/admin/api-keys')
export class CreateApiKeyHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Create an API key', description: 'The key is shown once; only its hash is stored.' })
  @ApiBody({
    type: CreateApiKeyRequestDto,
    examples: {
      clinic: { summary: 'A key for one clinic', value: { role: 'clinic', clinicId: 'CLN-00001' } },
      regulator: { summary: 'A regulator key', value: { role: 'regulator' } },
    },
  })
  @ApiResponse({
    status: 201,
    description: 'The new key.',
    schema: { example: { keyId: '5b1f4f8e-2f0c-4d53-9d6c-2a0a5c1e9b11', role: 'clinic', clinicId: 'CLN-00001', key: 'smpv_clinic_0tP3…' } },
  })
  @ApiResponse({ status: 422, description: 'The clinic is not registered.' })
  create(@Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKey> {
    return this.commands.execute(new CreateApiKeyCommand(body.role, body.clinicId ?? null));
  }
}
