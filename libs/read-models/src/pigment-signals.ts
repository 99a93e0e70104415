import type { DataSource, EntityManager } from 'typeorm';
import type { SignalMethod } from '@smp/contracts';
import { signalTable, type SignalRow } from '@smp/statistics';
import { SqlFilter } from '@smp/persistence';

export interface PigmentSignal extends SignalRow {
  manufacturer: string | null;
  product: string | null;
  batch: string | null;
  /** The criteria met: evans, ror, ic. */
  methods: SignalMethod[];
}

/**
 * The signal table of every pigment batch × category from the side-effect
 * counts of reports that name a pigment (the database the signals screen), over
 * a period and optionally the clinics of one country (only then is the finer
 * cube summed: the per-pigment rollup knows no clinic).
 */
export async function pigmentSignals(
  db: DataSource | EntityManager,
  period: { from: string | null; to: string | null } = { from: null, to: null },
  country?: string,
): Promise<PigmentSignal[]> {
  const filter = new SqlFilter()
    .always(`t.pigment_id <> ''`)
    .when(period.from, (p) => `t.procedure_month >= ${p}::date`)
    .when(period.to, (p) => `t.procedure_month <= ${p}::date`)
    .when(country, (p) => `t.clinic_id IN (SELECT clinic_id FROM projector.clinics WHERE country = ${p})`);
  const cells: Array<{ pigment_id: string; category: string; reports: number }> = await db.query(
    `SELECT t.pigment_id, t.category, sum(t.reports)::int AS reports
       FROM projector.${country ? 'side_effect_counts' : 'pigment_category_month'} t ${filter.where}
      GROUP BY t.pigment_id, t.category`,
    filter.params,
  );
  const pigments: Array<{ pigment_id: string; manufacturer: string; product: string; batch: string }> = await db.query(
    `SELECT pigment_id, manufacturer, product, batch FROM projector.pigments WHERE pigment_id = ANY($1::text[])`,
    [[...new Set(cells.map((cell) => cell.pigment_id))]],
  );
  const names = new Map(pigments.map((pigment) => [pigment.pigment_id, pigment]));
  return signalTable(cells.map((cell) => ({ subject: cell.pigment_id, category: cell.category, reports: cell.reports }))).map((row) => {
    const pigment = names.get(row.subject);
    const methods: SignalMethod[] = [];
    if (row.signals.prr) methods.push('evans');
    if (row.signals.ror) methods.push('ror');
    if (row.signals.ic) methods.push('ic');
    return {
      ...row,
      manufacturer: pigment?.manufacturer ?? null,
      product: pigment?.product ?? null,
      batch: pigment?.batch ?? null,
      methods,
    };
  });
}
