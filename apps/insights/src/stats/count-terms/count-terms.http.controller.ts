import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { assertClinicAccess, CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { Representation, type Represent, type Represented } from '@smp/http';
import { CountTermsQuery, type TermCounts } from './count-terms.query.js';
import { CountTermsRequestDto } from './count-terms.request.dto.js';

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('v1/stats/count')
@ApiProduces('application/json', 'text/csv')
export class CountTermsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('clinic', 'regulator', 'admin')
  @ApiOperation({
    summary: 'Terms and report counts of one field, most frequent first, with cursor paging',
    description:
      'Counts reports (the latest version of each case not nullified), as openFDA does: each report once per term, so a ' +
      'report naming two complications counts once for its clinic, month or outcome, and once in each of its categories; ' +
      'with a category given, the reports naming it. Follow nextCursor for the whole list; ' +
      'totalTerms is the number of distinct terms. A clinic key counts its own clinic only.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        field: 'category',
        totalTerms: 7,
        rows: [
          { term: 'inflammation', count: 812 },
          { term: 'discoloration', count: 240 },
        ],
        nextCursor: 'WzI0MCwiZGlzY29sb3JhdGlvbiJd',
      },
    },
  })
  async count(
    @Query() filter: CountTermsRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Representation() represent: Represent,
  ): Promise<Represented<TermCounts>> {
    if (filter.clinicId) assertClinicAccess(principal, filter.clinicId);
    const onlyClinic = principal.kind === 'key' && principal.role === 'clinic' ? principal.clinicId : null;
    return represent(await this.queries.execute(new CountTermsQuery(filter, onlyClinic)));
  }
}
