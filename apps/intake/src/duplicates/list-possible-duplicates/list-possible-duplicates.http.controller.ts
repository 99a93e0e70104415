import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Equals } from 'class-validator';
import { Roles } from '@smp/auth';
import { ListPossibleDuplicatesQuery } from './list-possible-duplicates.query.js';

export class ListReportsRequestDto {
  /** The only listing of reports offered: those flagged as possible duplicates. */
  @Equals('true', { message: 'possibleDuplicate must be true (only possible duplicates can be listed)' })
  possibleDuplicate: string;
}

@Controller('v1/reports')
export class ListPossibleDuplicatesHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('admin')
  list(@Query() _query: ListReportsRequestDto) {
    return this.queries.execute(new ListPossibleDuplicatesQuery());
  }
}
