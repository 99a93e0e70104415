import { Module } from '@nestjs/common';
import { ListSeriousCasesHandler } from './list-serious-cases/list-serious-cases.handler.js';
import { ListSeriousCasesHttpController } from './list-serious-cases/list-serious-cases.http.controller.js';

@Module({ controllers: [ListSeriousCasesHttpController], providers: [ListSeriousCasesHandler] })
export class CasesModule {}
