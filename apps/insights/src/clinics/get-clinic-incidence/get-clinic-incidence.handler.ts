import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProblemError } from '@smp/http';
import { GetClinicIncidenceQuery, type ClinicIncidence, type IncidenceRow } from './get-clinic-incidence.query.js';

/** Reads the projector's per clinic × category × procedure-month counts; never the reports. */
@QueryHandler(GetClinicIncidenceQuery)
export class GetClinicIncidenceHandler implements IQueryHandler<GetClinicIncidenceQuery, ClinicIncidence> {
  constructor(private readonly db: DataSource) {}

  async execute({ clinicId, from, to, category }: GetClinicIncidenceQuery): Promise<ClinicIncidence> {
    if (from && to && from > to) {
      throw new ProblemError(400, 'validation-failed', 'The request is not valid', 'from must not be after to.', [
        { field: 'from', message: `from ${from} is after to ${to}` },
      ]);
    }
    const rows: IncidenceRow[] = await this.db.query(
      `SELECT to_char(procedure_month, 'YYYY-MM') AS month, category, reports, serious
         FROM projector.clinic_category_month
        WHERE clinic_id = $1
          AND ($2::date IS NULL OR procedure_month >= $2::date)
          AND ($3::date IS NULL OR procedure_month <= $3::date)
          AND ($4::text IS NULL OR category = $4)
          AND reports > 0
        ORDER BY procedure_month, category`,
      [clinicId, from ? `${from}-01` : null, to ? `${to}-01` : null, category ?? null],
    );
    return { clinicId, from: from ?? null, to: to ?? null, rows };
  }
}
