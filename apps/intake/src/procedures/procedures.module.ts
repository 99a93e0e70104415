import { Module } from '@nestjs/common';
import { RegistryModule } from '../registry/registry.module.js';
import { ProcedureRepository } from './procedure.repository.js';
import { RecordProceduresHandler } from './record-procedures/record-procedures.handler.js';
import { RecordProceduresHttpController } from './record-procedures/record-procedures.http.controller.js';

@Module({
  imports: [RegistryModule],
  controllers: [RecordProceduresHttpController],
  providers: [ProcedureRepository, RecordProceduresHandler],
  exports: [ProcedureRepository],
})
export class ProceduresModule {}
