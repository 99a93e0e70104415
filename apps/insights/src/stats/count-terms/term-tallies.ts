import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SIDE_EFFECT_CATEGORIES, type SideEffectCategory } from '@smp/domain';
import { ClinicMonths } from '../../read-model/clinic-months.js';
import { MonthTallies, type Tally } from '../../read-model/month-tallies.js';
import type { Period } from '../../read-model/period.js';
import { PigmentMonths } from '../../read-model/pigment-months.js';
import { ReadModelCache } from '../../read-model/read-model-cache.js';
import type { CountField } from './count-terms.request.dto.js';

/** What a term's count adds up: reports, serious ones (serious: true) or the others (false), of one category or all. */
export interface TermMeasure {
  category?: SideEffectCategory;
  serious?: boolean;
}

/** Between severity and outcome in a key (chr(31), the unit separator: in neither). */
const SEPARATOR = '\u001f';

/**
 * The term counts of every field from the read models held in memory (see MonthTallies), for counts narrowed by
 * period, category and seriousness only: manufacturer, product, batch, country, category and month from the pigment
 * tallies (pigment × clinic country, every cell of the cube), clinic from the clinic tallies, severity and outcome
 * from tallies of their own. A count narrowed by anything else (a pigment, a clinic, a country, a severity…) needs
 * the cube's cells themselves, and CountTermsHandler asks Postgres.
 */
@Injectable()
export class TermTallies {
  private readonly severityOutcome: MonthTallies;

  constructor(
    db: DataSource,
    cache: ReadModelCache,
    private readonly clinics: ClinicMonths,
    private readonly pigments: PigmentMonths,
  ) {
    this.severityOutcome = new MonthTallies(db, cache, {
      name: 'severity-outcome-months',
      tables: ['projector.side_effect_counts'],
      reportsSql: `SELECT severity || chr(31) || CASE WHEN outcome = '' THEN 'unknown' ELSE outcome END AS key,
                          extract(month FROM procedure_month)::int AS m, category, sum(reports)::int AS reports, sum(serious)::int AS serious
                     FROM projector.side_effect_counts WHERE procedure_month >= $1::date AND procedure_month < $2::date
                    GROUP BY 1, 2, 3`,
    });
  }

  /** Each term of `field` with its count over the period (terms counting 0 included). */
  async counts(field: CountField, period: Period, measure: TermMeasure): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const add = (term: string | undefined, tally: Tally) => {
      if (term === undefined || term === '') return;
      counts.set(term, (counts.get(term) ?? 0) + measureOf(tally, measure));
    };
    switch (field) {
      case 'category': {
        const total = await this.pigments.total(period);
        for (const category of measure.category ? [measure.category] : SIDE_EFFECT_CATEGORIES)
          counts.set(category, measureOf(total, { category, serious: measure.serious }));
        break;
      }
      case 'month':
        for (const { month, total } of await this.pigments.monthTotals(period)) add(month, total);
        break;
      case 'clinic': {
        const window = await this.clinics.window(period);
        for (const clinicId of window.keys) add(clinicId, window.tally(clinicId)!);
        break;
      }
      case 'severity':
      case 'outcome': {
        const window = await this.severityOutcome.window(period);
        for (const key of window.keys) {
          const [severity, outcome] = key.split(SEPARATOR);
          add(field === 'severity' ? severity : outcome, window.tally(key)!);
        }
        break;
      }
      default: {
        const [pigments, directory] = await Promise.all([this.pigments.window(period), this.pigments.directory()]);
        for (const { pigmentId, country, tally } of pigments) add(field === 'country' ? country : directory.get(pigmentId)?.[field], tally);
      }
    }
    return counts;
  }
}

function measureOf(tally: Tally, { category, serious }: TermMeasure): number {
  let count = 0;
  for (const each of category ? [category] : SIDE_EFFECT_CATEGORIES) {
    const reports = tally.reports(each);
    count += serious === undefined ? reports : serious ? tally.serious(each) : reports - tally.serious(each);
  }
  return count;
}
