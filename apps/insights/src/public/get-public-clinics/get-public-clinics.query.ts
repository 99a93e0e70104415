import { Query } from '@nestjs/cqrs';
import type { PublicTable } from '../public-table.js';

export interface PublicClinicLabels {
  clinicId: string;
  name: string;
  country: string;
}

export type PublicClinics = PublicTable<PublicClinicLabels> & { year: number };

export class GetPublicClinicsQuery extends Query<PublicClinics> {
  constructor(readonly year?: number) {
    super();
  }
}
