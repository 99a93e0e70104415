import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { Roles } from '@smp/auth';
import { RevokeApiKeyCommand } from './revoke-api-key.command.js';

export class ApiKeyIdParamDto {
  @IsUUID('all', { message: 'keyId must be the keyId given when the key was created' })
  keyId: string;
}

@ApiTags('access')
@ApiBearerAuth()
@Controller('v1/admin/api-keys')
export class RevokeApiKeyHttpController {
  constructor(private readonly commands: CommandBus) {}

  /** Rotating a key is creating the new one, handing it over, then revoking the old one. */
  @Delete(':keyId')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Takes effect at once in every app: keys are checked on every request. Rotate by creating a new key first.',
  })
  @ApiParam({ name: 'keyId', example: '5b1f4f8e-2f0c-4d53-9d6c-2a0a5c1e9b11' })
  @ApiResponse({ status: 204, description: 'Revoked.' })
  @ApiResponse({ status: 404, description: 'No such key.', schema: { example: { type: 'about:blank', title: 'Not Found', status: 404 } } })
  revoke(@Param() { keyId }: ApiKeyIdParamDto): Promise<void> {
    return this.commands.execute(new RevokeApiKeyCommand(keyId));
  }
}
