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

/** Between severity and outcome, or subject and term, in a key (chr(31), the unit separator: in none of them). */
const SEPARATOR = '\u001f';

/**
 * The subjects whose report counts the projector rolls up per term and month (`report_term_month`, keyed here subject +
 * SEPARATOR + term; the months alone under 'month'). A report has one clinic and one pigment, so a country's,
 * manufacturer's, product's or batch's reports are the sums of its clinics' or pigments' (looked up in the directories;
 * CountTermsHandler's SQL joins the registries instead).
 */
type ReportSubject = 'clinic' | 'pigment' | 'outcome' | 'severity';

/**
 * The term counts of every field from the read models held in memory (see MonthTallies), for counts narrowed by
 * period, category and seriousness only. Across categories (no category asked for, and a field other than category),
 * each report once, from the tallies of `report_term_month`. Within a category, or by category: manufacturer, product,
 * batch, country, category and month from the pigment tallies (pigment × clinic country, every cell of the cube),
 * clinic from the clinic tallies, severity and outcome from tallies of their own. A count narrowed by anything else (a
 * pigment, a clinic, a country, a severity…) needs the cube's cells themselves, and CountTermsHandler asks Postgres.
 */
@Injectable()
export class TermTallies {
  private readonly severityOutcome: MonthTallies;
  /** Reports, each once (see countedColumn), per clinic, pigment, outcome, severity and month, from `report_term_month`. */
  private readonly reportTerms: MonthTallies;

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
    this.reportTerms = new MonthTallies(db, cache, {
      name: 'report-term-months',
      tables: ['projector.report_term_month'],
      reportsSql: `SELECT CASE WHEN subject = 'month' THEN 'month'
                               WHEN subject = 'outcome' AND term = '' THEN 'outcome' || chr(31) || 'unknown'
                               ELSE subject || chr(31) || term END AS key,
                          extract(month FROM procedure_month)::int AS m, reports, serious
                     FROM projector.report_term_month WHERE procedure_month >= $1::date AND procedure_month < $2::date`,
      acrossCategories: true,
    });
  }

  /** Each term of `field` with its count over the period (terms counting 0 included). */
  async counts(field: CountField, period: Period, measure: TermMeasure): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const add = (term: string | undefined, tally: Tally, across = false) => {
      if (term === undefined || term === '') return;
      counts.set(term, (counts.get(term) ?? 0) + measureOf(tally, measure, across));
    };
    if (field !== 'category' && measure.category === undefined) {
      // Across categories: each report once (see countedColumn), not once per complication it names.
      if (field === 'month') {
        for (const { month, window } of await this.reportTerms.eachMonth(period)) {
          const tally = window.tally('month');
          if (tally) add(month, tally, true);
        }
        return counts;
      }
      const window = await this.reportTerms.window(period);
      const subject: ReportSubject =
        field === 'country' ? 'clinic' : field === 'manufacturer' || field === 'product' || field === 'batch' ? 'pigment' : field;
      const [clinics, pigments] = await Promise.all([
        field === 'country' ? this.clinics.directory() : null,
        subject === 'pigment' ? this.pigments.directory() : null,
      ]);
      const prefix = `${subject}${SEPARATOR}`;
      for (const key of window.keys) {
        if (!key.startsWith(prefix)) continue;
        const id = key.slice(prefix.length);
        const term = clinics ? clinics.get(id)?.country : pigments ? pigments.get(id)?.[field as 'manufacturer' | 'product' | 'batch'] : id;
        add(term, window.tally(key)!, true);
      }
      return counts;
    }
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

/**
 * What `tally` counts of the measure: of its category, or summed over every category; a tally across categories
 * (acrossCategories) is asked for none.
 */
function measureOf(tally: Tally, { category, serious }: TermMeasure, across = false): number {
  let count = 0;
  for (const each of across ? [undefined] : category ? [category] : SIDE_EFFECT_CATEGORIES) {
    const reports = tally.reports(each);
    count += serious === undefined ? reports : serious ? tally.serious(each) : reports - tally.serious(each);
  }
  return count;
}
