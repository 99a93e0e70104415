import { Query } from '@nestjs/cqrs';
import type { SideEffectCategory } from '@smp/domain';
import type { ClinicPoint, FunnelSummary } from '../../read-model/clinic-funnels.js';
import type { StatsFilterDto } from '../../read-model/stats-filter.dto.js';

export interface ClinicStats {
  category: SideEffectCategory | null;
  from: string | null;
  to: string | null;
  country: string | null;
  /** One funnel per category: network rate, overdispersion and the limits to draw. */
  funnels: FunnelSummary[];
  /** Every clinic × category on its funnel. */
  rows: ClinicPoint[];
}

export class GetClinicStatsQuery extends Query<ClinicStats> {
  constructor(readonly filter: StatsFilterDto) {
    super();
  }
}
