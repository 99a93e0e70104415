import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@smp/auth';
import type { Clinic } from '../registry.repository.js';
import { RegisterClinicCommand } from './register-clinic.command.js';
import { RegisterClinicRequestDto } from './register-clinic.request.dto.js';

@ApiTags('registry')
@ApiBearerAuth()
@Controller('v1/clinics')
export class RegisterClinicHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Register a clinic' })
  @ApiBody({
    type: RegisterClinicRequestDto,
    examples: { clinic: { summary: 'A clinic in London', value: { name: 'Crown Scalp Studio', country: 'GB', region: 'London' } } },
  })
  @ApiResponse({
    status: 201,
    description: 'The clinic and its id.',
    schema: { example: { clinicId: 'CLN-00001', name: 'Crown Scalp Studio', country: 'GB', region: 'London' } },
  })
  register(@Body() body: RegisterClinicRequestDto): Promise<Clinic> {
    return this.commands.execute(new RegisterClinicCommand(body));
  }
}
