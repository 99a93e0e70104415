import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { SideEffectCategory } from '@smp/domain';
import type { Interval } from '@smp/statistics';
import type { Page } from '../../read-model/paging.js';
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

/** A page of the groups' rows (see Page). */
export interface PigmentStats extends Page<PigmentStatsRow> {
  groupBy: PigmentLevel;
  from: string | null;
  to: string | null;
}

export class GetPigmentStatsQuery extends Query<Answer<PigmentStats>> {
  constructor(readonly filter: GetPigmentStatsRequestDto) {
    super();
  }
}
