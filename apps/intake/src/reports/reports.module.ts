import { Module } from '@nestjs/common';
import { CaseRepository } from '../cases/case.repository.js';
import { SubmitReportHandler } from './submit-report/submit-report.handler.js';
import { SubmitReportHttpController } from './submit-report/submit-report.http.controller.js';

@Module({
  controllers: [SubmitReportHttpController],
  providers: [CaseRepository, SubmitReportHandler],
})
export class ReportsModule {}
