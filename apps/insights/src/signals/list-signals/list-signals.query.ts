import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { SignalMethod } from '@smp/contracts';
import type { SideEffectCategory } from '@smp/domain';
import type { Interval } from '@smp/statistics';
import type { Page } from '../../read-model/paging.js';
import type { ListSignalsRequestDto } from './list-signals.request.dto.js';

export interface SignalRowView {
  pigmentId: string;
  manufacturer: string | null;
  product: string | null;
  batch: string | null;
  category: SideEffectCategory;
  a: number;
  b: number;
  c: number;
  d: number;
  prr: { value: number | null; ci95: Interval | null; chi2: number | null; evans: boolean };
  ror: { value: number | null; ci95: Interval | null; signal: boolean };
  ic: { value: number; ic025: number; signal: boolean };
  /** The criteria met. */
  signals: SignalMethod[];
}

export interface SignalList extends Page<SignalRowView> {
  from: string | null;
  to: string | null;
}

export class ListSignalsQuery extends Query<Answer<SignalList>> {
  constructor(readonly filter: ListSignalsRequestDto) {
    super();
  }
}
