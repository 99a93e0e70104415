import { Global, Module } from '@nestjs/common';
import { ClinicFunnels } from './clinic-funnels.js';

/** Query-side services shared by the endpoints. */
@Global()
@Module({ providers: [ClinicFunnels], exports: [ClinicFunnels] })
export class ReadModelModule {}
