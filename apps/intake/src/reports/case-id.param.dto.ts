import { Matches } from 'class-validator';
import { CASE_ID_PATTERN } from '@smp/domain';

export class CaseIdParamDto {
  @Matches(CASE_ID_PATTERN, { message: 'caseId must look like SMP-2026-000042' })
  caseId: string;
}
