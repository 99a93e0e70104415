import { Module } from '@nestjs/common';
import { GetPublicClinicsHandler } from './get-public-clinics/get-public-clinics.handler.js';
import { GetPublicClinicsHttpController } from './get-public-clinics/get-public-clinics.http.controller.js';
import { GetPublicPigmentsHandler } from './get-public-pigments/get-public-pigments.handler.js';
import { GetPublicPigmentsHttpController } from './get-public-pigments/get-public-pigments.http.controller.js';

/** Figures for the public: no key, small counts withheld. */
@Module({
  controllers: [GetPublicClinicsHttpController, GetPublicPigmentsHttpController],
  providers: [GetPublicClinicsHandler, GetPublicPigmentsHandler],
})
export class PublicModule {}
