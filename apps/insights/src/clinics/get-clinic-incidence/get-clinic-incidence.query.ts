import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { SideEffectCategory } from '@smp/domain';
import type { FunnelBand, Interval } from '@smp/statistics';

export interface IncidenceRow {
  /** Procedure month, YYYY-MM. */
  month: string;
  category: SideEffectCategory;
  procedures: number;
  reports: number;
  serious: number;
  ratePer1000: number | null;
  ci95: Interval | null;
  networkRatePer1000: number | null;
}

/** The clinic on the network funnel for one category, over the whole period. */
export interface IncidenceFunnel {
  category: SideEffectCategory;
  procedures: number;
  reports: number;
  ratePer1000: number | null;
  networkRatePer1000: number;
  z: number | null;
  band: FunnelBand | null;
}

export interface ClinicIncidence {
  clinicId: string;
  from: string | null;
  to: string | null;
  rows: IncidenceRow[];
  funnel: IncidenceFunnel[];
}

export class GetClinicIncidenceQuery extends Query<Answer<ClinicIncidence>> {
  constructor(
    readonly clinicId: string,
    readonly from?: string,
    readonly to?: string,
    readonly category?: SideEffectCategory,
  ) {
    super();
  }
}
