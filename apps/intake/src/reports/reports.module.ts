import { Module } from '@nestjs/common';
import { CaseRepository } from '../cases/case.repository.js';
import { RegistryModule } from '../registry/registry.module.js';
import { SubmitReportHandler } from './submit-report/submit-report.handler.js';
import { SubmitReportHttpController } from './submit-report/submit-report.http.controller.js';

@Module({
  imports: [RegistryModule],
  controllers: [SubmitReportHttpController],
  providers: [CaseRepository, SubmitReportHandler],
})
export class ReportsModule {}
