import { Command } from '@nestjs/cqrs';
import type { ProcedureEntryDto } from './record-procedures.request.dto.js';

export interface RecordedProcedures {
  clinicId: string;
  procedures: Array<ProcedureEntryDto & { procedureRef: string }>;
}

export class RecordProceduresCommand extends Command<RecordedProcedures> {
  constructor(
    readonly clinicId: string,
    readonly procedures: ProcedureEntryDto[],
  ) {
    super();
  }
}
