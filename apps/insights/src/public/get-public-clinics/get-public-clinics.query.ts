import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { Page, PageRequestDto } from '../../read-model/paging.js';
import type { PublicTable } from '../public-table.js';

export interface PublicClinicLabels {
  clinicId: string;
  name: string;
  country: string;
}

/** The year's suppression rules and network row, and a page of its clinics (see Page). */
export type PublicClinics = Omit<PublicTable<PublicClinicLabels>, 'rows'> &
  Page<PublicTable<PublicClinicLabels>['rows'][number]> & { year: number };

export class GetPublicClinicsQuery extends Query<Answer<PublicClinics>> {
  constructor(
    readonly year: number,
    readonly page: PageRequestDto,
  ) {
    super();
  }
}
