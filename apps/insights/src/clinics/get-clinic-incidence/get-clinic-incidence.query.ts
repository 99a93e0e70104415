import { Query } from '@nestjs/cqrs';
import type { SideEffectCategory } from '@smp/domain';

export interface IncidenceRow {
  /** Procedure month, YYYY-MM. */
  month: string;
  category: SideEffectCategory;
  reports: number;
  serious: number;
}

export interface ClinicIncidence {
  clinicId: string;
  from: string | null;
  to: string | null;
  rows: IncidenceRow[];
}

export class GetClinicIncidenceQuery extends Query<ClinicIncidence> {
  constructor(
    readonly clinicId: string,
    readonly from?: string,
    readonly to?: string,
    readonly category?: SideEffectCategory,
  ) {
    super();
  }
}
