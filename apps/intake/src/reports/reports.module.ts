import { Module } from '@nestjs/common';
import { CaseRepository } from '../cases/case.repository.js';
import { DuplicatesModule } from '../duplicates/duplicates.module.js';
import { ProceduresModule } from '../procedures/procedures.module.js';
import { RegistryModule } from '../registry/registry.module.js';
import { FollowUpReportHandler } from './follow-up-report/follow-up-report.handler.js';
import { FollowUpReportHttpController } from './follow-up-report/follow-up-report.http.controller.js';
import { ListCaseVersionsHandler } from './list-case-versions/list-case-versions.handler.js';
import { ListCaseVersionsHttpController } from './list-case-versions/list-case-versions.http.controller.js';
import { NullifyReportHandler } from './nullify-report/nullify-report.handler.js';
import { NullifyReportHttpController } from './nullify-report/nullify-report.http.controller.js';
import { SubmitReportHandler } from './submit-report/submit-report.handler.js';
import { SubmitReportHttpController } from './submit-report/submit-report.http.controller.js';

@Module({
  imports: [RegistryModule, ProceduresModule, DuplicatesModule],
  controllers: [SubmitReportHttpController, FollowUpReportHttpController, NullifyReportHttpController, ListCaseVersionsHttpController],
  providers: [CaseRepository, SubmitReportHandler, FollowUpReportHandler, NullifyReportHandler, ListCaseVersionsHandler],
})
export class ReportsModule {}
