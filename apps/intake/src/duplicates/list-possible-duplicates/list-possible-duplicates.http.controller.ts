import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Equals } from 'class-validator';
import { Roles } from '@smp/auth';
import { ListPossibleDuplicatesQuery } from './list-possible-duplicates.query.js';

export class ListReportsRequestDto {
  /** The only listing of reports offered: those flagged as possible duplicates. */
  @Equals('true', { message: 'possibleDuplicate must be true (only possible duplicates can be listed)' })
  possibleDuplicate: string;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ListPossibleDuplicatesHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'Cases flagged as possible duplicates',
    description: 'For review by an admin; nothing is ever dropped automatically.',
  })
  @ApiQuery({ name: 'possibleDuplicate', required: true, enum: ['true'] })
  @ApiResponse({
    status: 200,
    description: 'Flagged cases with their candidates, best first.',
    schema: {
      example: {
        items: [
          {
            caseId: 'SMP-2026-000043',
            clinicId: 'CLN-00001',
            candidates: [{ caseId: 'SMP-2026-000042', score: 0.989, reasons: ['same procedure date', 'same categories: infection'] }],
          },
        ],
      },
    },
  })
  list(@Query() _query: ListReportsRequestDto) {
    return this.queries.execute(new ListPossibleDuplicatesQuery());
  }
}
