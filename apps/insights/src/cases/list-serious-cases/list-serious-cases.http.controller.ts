import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { Representation, type Represent, type Represented } from '@smp/http';
import { ListSeriousCasesQuery, type CaseDeadlines } from './list-serious-cases.query.js';
import { ListSeriousCasesRequestDto } from './list-serious-cases.request.dto.js';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('v1/cases')
@ApiProduces('application/json', 'text/csv')
export class ListSeriousCasesHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('clinic', 'regulator', 'admin')
  @ApiOperation({
    summary: 'Serious cases with their reporting deadlines and status, overdue first',
    description:
      'A serious case is due to the regulator within 15 business days. status: overdue (due date passed), due, or nullified. ' +
      'A clinic key sees its own clinic only. No personal data. Overdue first, then by due date, a page at a time: `limit` ' +
      'cases (100 unless given, at most 1,000) and `nextCursor` for the next page; `totalRows` counts them all.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        asOf: '2026-11-22',
        totalRows: 1,
        nextCursor: null,
        rows: [
          {
            caseId: 'SMP-2026-000042',
            version: 2,
            clinicId: 'CLN-00003',
            pigmentId: 'PIG-00004',
            procedureDate: '2026-10-02',
            categories: ['infection'],
            serious: true,
            seriousReasons: ['infection'],
            reportingDueBy: '2026-11-12',
            status: 'overdue',
            outcome: 'recovering',
          },
        ],
      },
    },
  })
  async list(
    @Query() filter: ListSeriousCasesRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Representation() represent: Represent,
  ): Promise<Represented<CaseDeadlines>> {
    if (filter.clinicId) assertClinicAccess(principal, filter.clinicId);
    const onlyClinic = principal.kind === 'key' && principal.role === 'clinic' ? principal.clinicId : null;
    const asOf = new Date().toISOString().slice(0, 10);
    return represent(await this.queries.execute(new ListSeriousCasesQuery(filter, onlyClinic, asOf)));
  }
}
