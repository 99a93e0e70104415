import type { DataSource } from 'typeorm';

export interface Difference {
  readModel: string;
  cell: string;
  expected: string;
  actual: string;
}

/**
 * Recomputes every aggregate from the intake's source tables (the latest
 * version of every case that is not nullified, and the procedures) and lists
 * each cell where the projector's read model says otherwise. Absent and zero
 * are the same figure.
 */
/** The latest version of every case, with its outcome (kept in the version's facts). */
const LATEST_CASES = `SELECT c.*, v.report->>'outcome' AS outcome
                        FROM intake.cases c JOIN intake.case_versions v ON v.case_id = c.case_id AND v.version = c.version`;

interface Check {
  readModel: string;
  expected: string;
  actual: string;
  key: string[];
  values: string[];
  /** Counts: an absent cell is a zero. Otherwise a record: an absent row differs from any present one. */
  counts?: boolean;
}

const CHECKS: Check[] = [
  {
    readModel: 'side_effect_counts',
    // A case counts once across categories in the cell of its first side effect in category code order, and once per
    // severity in that of its first side effect of the severity.
    expected: `SELECT c.clinic_id, coalesce(c.pigment_id, '') AS pigment_id, e.category,
                      date_trunc('month', c.procedure_date)::date AS month, e.severity, coalesce(c.outcome, '') AS outcome,
                      count(*)::int AS reports, count(*) FILTER (WHERE c.serious)::int AS serious,
                      count(*) FILTER (WHERE e.first_of_case)::int AS cases,
                      count(*) FILTER (WHERE e.first_of_case AND c.serious)::int AS serious_cases,
                      count(*) FILTER (WHERE e.first_of_severity)::int AS severity_cases,
                      count(*) FILTER (WHERE e.first_of_severity AND c.serious)::int AS severity_serious_cases
                 FROM (${LATEST_CASES}) c
                 JOIN (SELECT e.*,
                              row_number() OVER (PARTITION BY e.case_id, e.version ORDER BY e.category COLLATE "C") = 1 AS first_of_case,
                              row_number() OVER (PARTITION BY e.case_id, e.version, e.severity ORDER BY e.category COLLATE "C") = 1
                                AS first_of_severity
                         FROM intake.case_side_effects e) e ON e.case_id = c.case_id AND e.version = c.version
                WHERE c.nullified_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6`,
    actual: `SELECT clinic_id, pigment_id, category, procedure_month AS month, severity, outcome, reports, serious,
                    cases, serious_cases, severity_cases, severity_serious_cases
               FROM projector.side_effect_counts`,
    key: ['clinic_id', 'pigment_id', 'category', 'month', 'severity', 'outcome'],
    values: ['reports', 'serious', 'cases', 'serious_cases', 'severity_cases', 'severity_serious_cases'],
    counts: true,
  },
  ...(['clinic', 'pigment'] as const).map((subject): Check => ({
    readModel: `${subject}_category_month`,
    expected: `SELECT c.${subject}_id, e.category, date_trunc('month', c.procedure_date)::date AS month,
                        count(*)::int AS reports, count(*) FILTER (WHERE c.serious)::int AS serious
                   FROM intake.cases c JOIN intake.case_side_effects e ON e.case_id = c.case_id AND e.version = c.version
                  WHERE c.nullified_at IS NULL AND c.${subject}_id IS NOT NULL GROUP BY 1, 2, 3`,
    actual: `SELECT ${subject}_id, category, procedure_month AS month, reports, serious FROM projector.${subject}_category_month`,
    key: [`${subject}_id`, 'category', 'month'],
    values: ['reports', 'serious'],
    counts: true,
  })),
  {
    readModel: 'report_term_month',
    // Each report once per term: its clinic, pigment ('' for none), outcome ('' unknown) and month, and each severity it names.
    expected: `SELECT v.subject, v.term, date_trunc('month', c.procedure_date)::date AS month,
                      count(*)::int AS reports, count(*) FILTER (WHERE c.serious)::int AS serious
                 FROM (${LATEST_CASES}) c
                 CROSS JOIN LATERAL (SELECT 'clinic', c.clinic_id UNION ALL SELECT 'pigment', coalesce(c.pigment_id, '')
                                     UNION ALL SELECT 'outcome', coalesce(c.outcome, '') UNION ALL SELECT 'month', ''
                                     UNION ALL SELECT DISTINCT 'severity', e.severity FROM intake.case_side_effects e
                                                WHERE e.case_id = c.case_id AND e.version = c.version) AS v(subject, term)
                WHERE c.nullified_at IS NULL GROUP BY 1, 2, 3`,
    actual: `SELECT subject, term, procedure_month AS month, reports, serious FROM projector.report_term_month`,
    key: ['subject', 'term', 'month'],
    values: ['reports', 'serious'],
    counts: true,
  },
  {
    readModel: 'procedures_month',
    expected: `SELECT clinic_id, pigment_id, date_trunc('month', procedure_date)::date AS month, sum(count)::int AS procedures
                 FROM intake.procedures GROUP BY 1, 2, 3`,
    actual: `SELECT clinic_id, pigment_id, procedure_month AS month, procedures FROM projector.procedures_month`,
    key: ['clinic_id', 'pigment_id', 'month'],
    values: ['procedures'],
    counts: true,
  },
  {
    readModel: 'cases',
    expected: `SELECT c.case_id, c.version AS case_version, c.clinic_id, coalesce(c.pigment_id, '') AS pigment_id, c.serious,
                      coalesce(c.reporting_due_by::text, '') AS due, coalesce(c.outcome, '') AS outcome,
                      c.nullified_at IS NOT NULL AS nullified,
                      (SELECT string_agg(e.category, ',' ORDER BY e.category) FROM intake.case_side_effects e
                        WHERE e.case_id = c.case_id AND e.version = c.version) AS categories
                 FROM (${LATEST_CASES}) c`,
    actual: `SELECT case_id, case_version, clinic_id, coalesce(pigment_id, '') AS pigment_id, serious,
                    coalesce(reporting_due_by::text, '') AS due, coalesce(outcome, '') AS outcome, nullified,
                    (SELECT string_agg(category, ',' ORDER BY category) FROM unnest(categories) AS category) AS categories
               FROM projector.cases`,
    key: ['case_id'],
    values: ['case_version', 'clinic_id', 'pigment_id', 'serious', 'due', 'outcome', 'nullified', 'categories'],
  },
  {
    readModel: 'clinics',
    expected: `SELECT clinic_id, name, trim(country) AS country, coalesce(region, '') AS region FROM intake.clinics`,
    actual: `SELECT clinic_id, name, country, coalesce(region, '') AS region FROM projector.clinics`,
    key: ['clinic_id'],
    values: ['name', 'country', 'region'],
  },
  {
    readModel: 'pigments',
    expected: `SELECT pigment_id, manufacturer, product, coalesce(shade, '') AS shade, batch FROM intake.pigments`,
    actual: `SELECT pigment_id, manufacturer, product, coalesce(shade, '') AS shade, batch FROM projector.pigments`,
    key: ['pigment_id'],
    values: ['manufacturer', 'product', 'shade', 'batch'],
  },
];

export async function findDifferences(db: DataSource): Promise<Difference[]> {
  const differences: Difference[] = [];
  for (const check of CHECKS) {
    const keys = check.key.join(', ');
    const side = (table: 'e' | 'a', value: string) =>
      check.counts
        ? `coalesce(${table}.${value}, 0)`
        : `CASE WHEN ${table}.${check.key[0]} IS NULL THEN '(absent)' ELSE ${table}.${value}::text END`;
    const compared = check.values
      .map((value) => `${side('e', value)} AS expected_${value}, ${side('a', value)} AS actual_${value}`)
      .join(', ');
    const differs = check.values.map((value) => `${side('e', value)} IS DISTINCT FROM ${side('a', value)}`).join(' OR ');
    const rows: Array<Record<string, unknown>> = await db.query(
      `WITH e AS (${check.expected}), a AS (${check.actual})
       SELECT ${check.key.map((key) => `coalesce(e.${key}, a.${key})::text AS ${key}`).join(', ')}, ${compared}
         FROM e FULL OUTER JOIN a USING (${keys})
        WHERE ${differs}
        ORDER BY ${keys}`,
    );
    for (const row of rows) {
      differences.push({
        readModel: check.readModel,
        cell: check.key.map((key) => `${key}=${row[key]}`).join(' '),
        expected: check.values.map((value) => `${value}=${row[`expected_${value}`]}`).join(' '),
        actual: check.values.map((value) => `${value}=${row[`actual_${value}`]}`).join(' '),
      });
    }
  }
  return differences;
}
