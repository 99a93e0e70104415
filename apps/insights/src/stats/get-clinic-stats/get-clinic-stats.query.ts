import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { SideEffectCategory } from '@smp/domain';
import type { ClinicPoint, FunnelSummary } from '../../read-model/clinic-funnels.js';
import type { Page } from '../../read-model/paging.js';
import type { ClinicStatsRequestDto } from './get-clinic-stats.request.dto.js';

/** The funnels of the period, and a page of their rows: every clinic × category on its funnel (see Page). */
export interface ClinicStats extends Page<ClinicPoint> {
  category: SideEffectCategory | null;
  from: string | null;
  to: string | null;
  country: string | null;
  /** One funnel per category: network rate, overdispersion and the limits to draw. */
  funnels: FunnelSummary[];
}

export class GetClinicStatsQuery extends Query<Answer<ClinicStats>> {
  constructor(readonly filter: ClinicStatsRequestDto) {
    super();
  }
}
