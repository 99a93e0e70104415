import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CurrentPrincipal, Roles, type Principal } from '@smp/auth';
import { CaseIdParamDto } from '../case-id.param.dto.js';
import { ListCaseVersionsQuery } from './list-case-versions.query.js';

@Controller('v1/reports')
export class ListCaseVersionsHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** For the case's clinic or an admin. */
  @Get(':caseId/versions')
  @Roles('clinic', 'admin')
  versions(@Param() { caseId }: CaseIdParamDto, @CurrentPrincipal() principal: Principal) {
    return this.queries.execute(new ListCaseVersionsQuery(caseId, principal));
  }
}
