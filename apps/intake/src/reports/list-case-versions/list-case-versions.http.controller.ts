import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { CaseIdParamDto } from '../case-id.param.dto.js';
import { ListCaseVersionsQuery } from './list-case-versions.query.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ListCaseVersionsHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** For the case's clinic or an admin. */
  @Get(':caseId/versions')
  @Roles('clinic', 'admin')
  @ApiOperation({ summary: 'Every version of a case', description: 'Oldest first. Personal data (contact, narrative) only for admins.' })
  @ApiParam({ name: 'caseId', example: 'SMP-2026-000042' })
  @ApiResponse({
    status: 200,
    description: 'The versions.',
    schema: {
      example: {
        caseId: 'SMP-2026-000042',
        versions: [
          {
            version: 1,
            kind: 'submission',
            recordedAt: '2026-09-18T10:00:00.000Z',
            serious: true,
            seriousReasons: ['infection'],
            reportingDueBy: '2026-10-09',
            facts: {
              clinicId: 'CLN-00001',
              procedureDate: '2026-09-10',
              effects: [{ category: 'infection', onsetDate: '2026-09-14', severity: 'moderate' }],
            },
          },
        ],
      },
    },
  })
  versions(@Param() { caseId }: CaseIdParamDto, @CurrentPrincipal() principal: Principal) {
    return this.queries.execute(new ListCaseVersionsQuery(caseId, principal));
  }
}
