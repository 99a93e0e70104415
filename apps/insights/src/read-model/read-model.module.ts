import { Global, Module } from '@nestjs/common';
import { ClinicFunnels } from './clinic-funnels.js';
import { ClinicMonths } from './clinic-months.js';
import { PigmentMonths } from './pigment-months.js';
import { ReadModelCache } from './read-model-cache.js';

/** Query-side services shared by the endpoints. */
@Global()
@Module({
  providers: [ClinicFunnels, ClinicMonths, PigmentMonths, ReadModelCache],
  exports: [ClinicFunnels, ClinicMonths, PigmentMonths, ReadModelCache],
})
export class ReadModelModule {}
