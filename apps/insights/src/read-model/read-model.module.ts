import { Global, Module } from '@nestjs/common';
import { ClinicFunnels } from './clinic-funnels.js';
import { ReadModelCache } from './read-model-cache.js';

/** Query-side services shared by the endpoints. */
@Global()
@Module({ providers: [ClinicFunnels, ReadModelCache], exports: [ClinicFunnels, ReadModelCache] })
export class ReadModelModule {}
