import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { todayUtc } from '@smp/domain';
import { ProblemError, type FieldProblem } from '@smp/http';
import { OutboxWrittenEvent } from '../../outbox/outbox-written.event.js';
import { RegistryRepository } from '../../registry/registry.repository.js';
import { ProcedureRepository } from '../procedure.repository.js';
import { RecordProceduresCommand, type RecordedProcedures } from './record-procedures.command.js';

@CommandHandler(RecordProceduresCommand)
export class RecordProceduresHandler implements ICommandHandler<RecordProceduresCommand, RecordedProcedures> {
  constructor(
    private readonly procedures: ProcedureRepository,
    private readonly registry: RegistryRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ clinicId, procedures }: RecordProceduresCommand): Promise<RecordedProcedures> {
    if (!(await this.registry.exists({ clinicId })).clinicId) {
      throw new ProblemError(404, 'clinic-not-found', 'Not Found', `There is no clinic ${clinicId}.`);
    }
    const today = todayUtc();
    const future: FieldProblem[] = procedures.flatMap((entry, index) =>
      entry.date > today ? [{ field: `procedures[${index}].date`, message: `date ${entry.date} is in the future` }] : [],
    );
    if (future.length > 0)
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'One or more fields are invalid.', future);
    const unknown = await this.registry.unknownPigments(procedures.map((entry) => entry.pigmentId));
    const unknownFields = procedures.flatMap((entry, index) =>
      unknown.has(entry.pigmentId)
        ? [{ field: `procedures[${index}].pigmentId`, message: `pigmentId ${entry.pigmentId} is not registered` }]
        : [],
    );
    if (unknownFields.length > 0) {
      throw new ProblemError(
        422,
        'unknown-reference',
        'Unprocessable Content',
        'Some pigments are not registered; nothing was recorded.',
        unknownFields,
      );
    }
    const refs = await this.procedures.record(clinicId, procedures);
    this.events.publish(new OutboxWrittenEvent());
    return { clinicId, procedures: procedures.map((entry, index) => ({ ...entry, procedureRef: refs[index] })) };
  }
}
