import { Module } from '@nestjs/common';
import { CountTermsHandler } from './count-terms/count-terms.handler.js';
import { CountTermsHttpController } from './count-terms/count-terms.http.controller.js';
import { TermTallies } from './count-terms/term-tallies.js';
import { GetClinicStatsHandler } from './get-clinic-stats/get-clinic-stats.handler.js';
import { GetClinicStatsHttpController } from './get-clinic-stats/get-clinic-stats.http.controller.js';
import { GetPigmentStatsHandler } from './get-pigment-stats/get-pigment-stats.handler.js';
import { GetPigmentStatsHttpController } from './get-pigment-stats/get-pigment-stats.http.controller.js';

/** The regulator's statistics: clinics on the funnel, pigments, and term counts. */
@Module({
  controllers: [GetClinicStatsHttpController, GetPigmentStatsHttpController, CountTermsHttpController],
  providers: [GetClinicStatsHandler, GetPigmentStatsHandler, CountTermsHandler, TermTallies],
})
export class StatsModule {}
