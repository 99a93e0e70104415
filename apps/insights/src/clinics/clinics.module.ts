import { Module } from '@nestjs/common';
import { GetClinicIncidenceHandler } from './get-clinic-incidence/get-clinic-incidence.handler.js';
import { GetClinicIncidenceHttpController } from './get-clinic-incidence/get-clinic-incidence.http.controller.js';

@Module({
  controllers: [GetClinicIncidenceHttpController],
  providers: [GetClinicIncidenceHandler],
})
export class ClinicsModule {}
