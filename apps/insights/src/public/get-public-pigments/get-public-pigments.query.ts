import { Query } from '@nestjs/cqrs';
import type { Answer } from '@smp/http';
import type { PublicTable } from '../public-table.js';

export interface PublicPigmentLabels {
  manufacturer: string;
  product: string;
}

export type PublicPigments = PublicTable<PublicPigmentLabels> & { year: number };

export class GetPublicPigmentsQuery extends Query<Answer<PublicPigments>> {
  constructor(readonly year?: number) {
    super();
  }
}
