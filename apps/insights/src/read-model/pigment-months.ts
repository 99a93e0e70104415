import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Period } from './period.js';
import { ReadModelCache } from './read-model-cache.js';
import { MonthTallies, Tally, type TallyLayout, type TallyWindow } from './month-tallies.js';

export interface RegisteredPigment {
  manufacturer: string;
  product: string;
  batch: string;
}

/**
 * A pigment's figures among the clinics of one country ('' for clinics not registered): a Tally itself (perf: one object
 * per pigment and country, not two, for every answer computed), also given as `tally`.
 */
export class PigmentInCountry extends Tally {
  constructor(
    values: Int32Array,
    offset: number,
    layout: TallyLayout,
    readonly pigmentId: string,
    readonly country: string,
  ) {
    super(values, offset, layout);
  }

  get tally(): Tally {
    return this;
  }
}

/** Between pigment id and country in a key (chr(31), the unit separator: in neither). */
const SEPARATOR = '\u001f';

/**
 * The pigment read models in memory (see MonthTallies), per pigment and country of the clinic: procedures with the
 * pigment, reports and serious reports per category, from the side-effect cube and the procedures, so that the
 * regulator's pigment figures and signals can be filtered by country without the cube being summed per answer.
 * Reports that name no pigment are held under the pigment ''.
 */
@Injectable()
export class PigmentMonths {
  private readonly tallies: MonthTallies;
  /** Every key met (a pigment and a country; as many as the tallies' subjects), split. */
  private readonly splits = new Map<string, { pigmentId: string; country: string }>();

  constructor(
    private readonly db: DataSource,
    private readonly cache: ReadModelCache,
  ) {
    this.tallies = new MonthTallies(db, cache, {
      name: 'pigment-months',
      tables: ['projector.procedures_month', 'projector.side_effect_counts'],
      proceduresSql: `SELECT t.pigment_id || chr(31) || coalesce(k.country, '') AS key, extract(month FROM t.procedure_month)::int AS m,
                             sum(t.procedures)::int AS procedures
                        FROM projector.procedures_month t LEFT JOIN projector.clinics k USING (clinic_id)
                       WHERE t.procedure_month >= $1::date AND t.procedure_month < $2::date
                       GROUP BY 1, 2`,
      reportsSql: `SELECT t.pigment_id || chr(31) || coalesce(k.country, '') AS key, extract(month FROM t.procedure_month)::int AS m, t.category,
                          sum(t.reports)::int AS reports, sum(t.serious)::int AS serious
                     FROM projector.side_effect_counts t LEFT JOIN projector.clinics k USING (clinic_id)
                    WHERE t.procedure_month >= $1::date AND t.procedure_month < $2::date
                    GROUP BY 1, 2, 3`,
    });
  }

  /** Each pigment's figures over the period, per country (only `country`'s when given). */
  async window(period: Period, country?: string): Promise<PigmentInCountry[]> {
    return this.inCountries(await this.tallies.window(period), country);
  }

  /** Every pigment's figures together (reports naming no pigment included), over the period. */
  async total(period: Period): Promise<Tally> {
    return (await this.tallies.window(period)).total;
  }

  /** The same, month by month (the months held within the period). */
  async monthTotals(period: Period): Promise<Array<{ month: string; total: Tally }>> {
    const months = await this.tallies.eachMonth(period);
    return months.map(({ month, window }) => ({ month, total: window.total }));
  }

  /** Each pigment's figures per country, month by month. */
  async eachMonth(period: Period, country?: string): Promise<Array<{ month: string; pigments: PigmentInCountry[] }>> {
    const months = await this.tallies.eachMonth(period);
    return months.map(({ month, window }) => ({ month, pigments: this.inCountries(window, country) }));
  }

  /** The pigments' figures in a window, per country (only `country`'s when given), those with a row in it. */
  private inCountries(window: TallyWindow, country: string | undefined): PigmentInCountry[] {
    const found: PigmentInCountry[] = [];
    for (const key of window.keys) {
      const split = this.split(key);
      if (country !== undefined && split.country !== country) continue;
      const offset = window.offsetOf(key);
      if (offset >= 0 && window.layout.presentAt(window.values, offset))
        found.push(new PigmentInCountry(window.values, offset, window.layout, split.pigmentId, split.country));
    }
    return found;
  }

  /** A key's pigment and country, split once (perf: every answer computed read every key anew, two new strings each). */
  private split(key: string): { pigmentId: string; country: string } {
    let split = this.splits.get(key);
    if (!split) {
      const at = key.indexOf(SEPARATOR);
      split = { pigmentId: key.slice(0, at), country: key.slice(at + 1) };
      this.splits.set(key, split);
    }
    return split;
  }

  /** Every registered pigment batch's manufacturer, product and batch. */
  directory(): Promise<ReadonlyMap<string, RegisteredPigment>> {
    return this.cache.part(
      'pigment-directory',
      async () => {
        const rows: Array<{ pigment_id: string } & RegisteredPigment> = await this.db.query(
          'SELECT pigment_id, manufacturer, product, batch FROM projector.pigments',
        );
        return new Map(rows.map((row) => [row.pigment_id, { manufacturer: row.manufacturer, product: row.product, batch: row.batch }]));
      },
      (pigments) => pigments.size * 250,
    );
  }
}
