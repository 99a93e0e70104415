import { Module } from '@nestjs/common';
import { DuplicateScreening } from './duplicate-screening.service.js';
import { ListPossibleDuplicatesHandler } from './list-possible-duplicates/list-possible-duplicates.handler.js';
import { ListPossibleDuplicatesHttpController } from './list-possible-duplicates/list-possible-duplicates.http.controller.js';

@Module({
  controllers: [ListPossibleDuplicatesHttpController],
  providers: [DuplicateScreening, ListPossibleDuplicatesHandler],
  exports: [DuplicateScreening],
})
export class DuplicatesModule {}
