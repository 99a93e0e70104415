import { Query } from '@nestjs/cqrs';
import type { SideEffectCategory } from '@smp/domain';
import type { Interval } from '@smp/statistics';
import type { GetPigmentStatsRequestDto, PigmentLevel } from './get-pigment-stats.request.dto.js';

export interface PigmentStatsRow {
  manufacturer: string;
  product?: string;
  batch?: string;
  pigmentId?: string;
  month?: string;
  category: SideEffectCategory;
  procedures: number;
  reports: number;
  serious: number;
  ratePer1000: number | null;
  ci95: Interval | null;
}

export interface PigmentStats {
  groupBy: PigmentLevel;
  from: string | null;
  to: string | null;
  rows: PigmentStatsRow[];
}

export class GetPigmentStatsQuery extends Query<PigmentStats> {
  constructor(readonly filter: GetPigmentStatsRequestDto) {
    super();
  }
}
