import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import type { Pigment } from '../registry.repository.js';
import { RegisterPigmentCommand } from './register-pigment.command.js';
import { RegisterPigmentRequestDto } from './register-pigment.request.dto.js';

@ApiTags('registry')
@ApiBearerAuth()
@Controller('v1/pigments')
export class RegisterPigmentHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Register a pigment batch' })
  @ApiBody({
    type: RegisterPigmentRequestDto,
    examples: {
      batch: {
        summary: 'One batch of a pigment',
        value: { manufacturer: 'Inkwell', product: 'Scalp Black', shade: 'Neutral 2', batch: 'B-2026-17' },
      },
    },
  })
  @ApiResponse({
    status: 201,
    description: 'The pigment and its id.',
    schema: {
      example: { pigmentId: 'PIG-00001', manufacturer: 'Inkwell', product: 'Scalp Black', shade: 'Neutral 2', batch: 'B-2026-17' },
    },
  })
  @ApiResponse({ status: 409, description: 'This batch is already registered.' })
  register(@Body() body: RegisterPigmentRequestDto): Promise<Pigment> {
    return this.commands.execute(new RegisterPigmentCommand(body));
  }
}
