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
const CHECKS: Array<{ readModel: string; expected: string; actual: string; key: string[]; values: string[] }> = [
  {
    readModel: 'clinic_category_month',
    expected: `SELECT c.clinic_id, e.category, date_trunc('month', c.procedure_date)::date AS month,
                      count(*)::int AS reports, count(*) FILTER (WHERE c.serious)::int AS serious
                 FROM intake.cases c JOIN intake.case_side_effects e ON e.case_id = c.case_id AND e.version = c.version
                WHERE c.nullified_at IS NULL GROUP BY 1, 2, 3`,
    actual: `SELECT clinic_id, category, procedure_month AS month, reports, serious FROM projector.clinic_category_month`,
    key: ['clinic_id', 'category', 'month'],
    values: ['reports', 'serious'],
  },
  {
    readModel: 'pigment_category_month',
    expected: `SELECT c.pigment_id, e.category, date_trunc('month', c.procedure_date)::date AS month,
                      count(*)::int AS reports, count(*) FILTER (WHERE c.serious)::int AS serious
                 FROM intake.cases c JOIN intake.case_side_effects e ON e.case_id = c.case_id AND e.version = c.version
                WHERE c.nullified_at IS NULL AND c.pigment_id IS NOT NULL GROUP BY 1, 2, 3`,
    actual: `SELECT pigment_id, category, procedure_month AS month, reports, serious FROM projector.pigment_category_month`,
    key: ['pigment_id', 'category', 'month'],
    values: ['reports', 'serious'],
  },
  {
    readModel: 'procedures_month',
    expected: `SELECT clinic_id, pigment_id, date_trunc('month', procedure_date)::date AS month, sum(count)::int AS procedures
                 FROM intake.procedures GROUP BY 1, 2, 3`,
    actual: `SELECT clinic_id, pigment_id, procedure_month AS month, procedures FROM projector.procedures_month`,
    key: ['clinic_id', 'pigment_id', 'month'],
    values: ['procedures'],
  },
];

export async function findDifferences(db: DataSource): Promise<Difference[]> {
  const differences: Difference[] = [];
  for (const check of CHECKS) {
    const keys = check.key.join(', ');
    const compared = check.values
      .map((value) => `coalesce(e.${value}, 0) AS expected_${value}, coalesce(a.${value}, 0) AS actual_${value}`)
      .join(', ');
    const differs = check.values.map((value) => `coalesce(e.${value}, 0) <> coalesce(a.${value}, 0)`).join(' OR ');
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
