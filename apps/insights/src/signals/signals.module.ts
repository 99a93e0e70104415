import { Module } from '@nestjs/common';
import { ListSignalsHandler } from './list-signals/list-signals.handler.js';
import { ListSignalsHttpController } from './list-signals/list-signals.http.controller.js';

@Module({ controllers: [ListSignalsHttpController], providers: [ListSignalsHandler] })
export class SignalsModule {}
