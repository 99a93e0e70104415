import type { DataSource, EntityManager } from 'typeorm';
import type { SignalMethod } from '@smp/contracts';
import { signalTable, type Disproportionality, type ReportCell, type SignalRow } from '@smp/statistics';

export interface PigmentSignal extends SignalRow {
  manufacturer: string | null;
  product: string | null;
  batch: string | null;
  /** The criteria met: evans, ror, ic. */
  methods: SignalMethod[];
}

/** A pigment batch's names, as the registry holds them. */
export interface PigmentNames {
  manufacturer: string;
  product: string;
  batch: string;
}

/**
 * The signal table of every pigment batch × category over all time, from the
 * per-pigment rollup of the side-effect counts (reports that name a pigment:
 * the database the signals screen).
 */
export async function pigmentSignals(db: DataSource | EntityManager): Promise<PigmentSignal[]> {
  const cells: Array<{ pigment_id: string; category: string; reports: number }> = await db.query(
    `SELECT pigment_id, category, sum(reports)::int AS reports FROM projector.pigment_category_month
      WHERE pigment_id <> '' GROUP BY pigment_id, category`,
  );
  const pigments: Array<{ pigment_id: string } & PigmentNames> = await db.query(
    `SELECT pigment_id, manufacturer, product, batch FROM projector.pigments WHERE pigment_id = ANY($1::text[])`,
    [[...new Set(cells.map((cell) => cell.pigment_id))]],
  );
  return signalsOf(
    cells.map((cell) => ({ subject: cell.pigment_id, category: cell.category, reports: cell.reports })),
    new Map(pigments.map((pigment) => [pigment.pigment_id, pigment])),
  );
}

/** The signal table of report cells (subject: the pigment id), each row named and with the criteria it meets. */
export function signalsOf(cells: readonly ReportCell[], names: ReadonlyMap<string, PigmentNames>): PigmentSignal[] {
  return namedSignals(signalTable(cells), names);
}

/** Rows of a signal table (subject: the pigment id; see signalTable and signalRows), named and with the criteria they meet. */
export function namedSignals(rows: SignalRow[], names: ReadonlyMap<string, PigmentNames>): PigmentSignal[] {
  return rows.map((row): PigmentSignal => {
    const pigment = names.get(row.subject);
    // The row is signalTable's own, fresh: named in place rather than copied (a spread of every row costs more than the statistics).
    return Object.assign(row, {
      manufacturer: pigment?.manufacturer ?? null,
      product: pigment?.product ?? null,
      batch: pigment?.batch ?? null,
      methods: signalMethods(row.signals),
    });
  });
}

/** The criteria a row's signals meet, as the signal events and the API name them, in this order: evans, ror, ic. */
export function signalMethods(signals: Disproportionality['signals']): SignalMethod[] {
  const methods: SignalMethod[] = [];
  if (signals.prr) methods.push('evans');
  if (signals.ror) methods.push('ror');
  if (signals.ic) methods.push('ic');
  return methods;
}
