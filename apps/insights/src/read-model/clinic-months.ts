import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Period } from './period.js';
import { ReadModelCache } from './read-model-cache.js';
import { MonthTallies, type Tally, type TallyWindow } from './month-tallies.js';

/**
 * The clinic read models in memory (see MonthTallies): procedures per clinic and month, reports and serious
 * reports per clinic, category and month; the subjects are clinic ids, and their total is the network.
 */
@Injectable()
export class ClinicMonths {
  private readonly tallies: MonthTallies;

  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {
    this.tallies = new MonthTallies(db, cache, {
      name: 'clinic-months',
      tables: ['projector.procedures_month', 'projector.clinic_category_month'],
      proceduresSql: `SELECT clinic_id AS key, extract(month FROM procedure_month)::int AS m, sum(procedures)::int AS procedures
                        FROM projector.procedures_month WHERE procedure_month >= $1::date AND procedure_month < $2::date
                       GROUP BY 1, 2`,
      reportsSql: `SELECT clinic_id AS key, extract(month FROM procedure_month)::int AS m, category, reports, serious
                     FROM projector.clinic_category_month WHERE procedure_month >= $1::date AND procedure_month < $2::date`,
    });
  }

  /** Every clinic's figures over the period (keys: clinic ids; total: the network's). */
  window(period: Period): Promise<TallyWindow> {
    return this.tallies.window(period);
  }

  /** One clinic's figures per month of the period (null: no row that month), and the network's. */
  async months(clinicId: string, period: Period): Promise<Array<{ month: string; tally: Tally | null; total: Tally }>> {
    const months = await this.tallies.eachMonth(period);
    return months.map(({ month, window }) => ({ month, tally: window.tally(clinicId), total: window.total }));
  }

  /** Every registered clinic's name and country. */
  directory(): Promise<ReadonlyMap<string, { name: string; country: string }>> {
    return this.cache.part(
      'clinic-directory',
      async () => {
        const rows: Array<{ clinic_id: string; name: string; country: string }> = await this.db.query(
          'SELECT clinic_id, name, country FROM projector.clinics',
        );
        return new Map(rows.map((row) => [row.clinic_id, { name: row.name, country: row.country }]));
      },
      (clinics) => clinics.size * 200,
    );
  }
}
