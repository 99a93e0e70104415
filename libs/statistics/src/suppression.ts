/**
 * Statistical disclosure control for published count tables: primary and
 * complementary (secondary) cell suppression, after Cox (1980), "Suppression
 * methodology and statistical disclosure control", JASA 75:377–385, and
 * Hundepool et al. (2012), Statistical Disclosure Control, Wiley, ch. 4
 * (secondary cell suppression and its audit) and ch. 5 (frequency tables);
 * the complementary cells are chosen by the shortest-path heuristic for
 * two-dimensional tables (Castro 2002, "Network flows heuristics for
 * complementary cell suppression", LNCS 2316:59–73).
 *
 * The table is the extended table: cells, row totals, column totals and the
 * grand total, each row and column of it an additive equation. A figure that
 * is not published (e.g. row totals of a plain list) is an unknown to the
 * reader, known only to be ≥ 0.
 *
 * What the reader (the attacker) is assumed to know: every shown figure;
 * every equation; that a withheld figure is never 0; and, since a response
 * may say why each figure is withheld, that a 'small_count' figure lies in
 * [min, max] and a 'complementary' one in [max + 1, ∞) (with min > 1 only
 * [1, ∞): see limits). A withheld figure is safe when these facts leave it at
 * least two possible values. Protection against this reader implies
 * protection against any reader who knows less.
 *
 * Exact test of safety. Write y = x for cells and the grand total and y = −x
 * for row and column totals; then every equation says that a row or column of
 * y sums to 0, i.e. y is a circulation on the bipartite graph of row nodes and
 * column nodes, one edge per figure. Another table consistent with
 * everything published differs from the true one by a circulation on the
 * withheld figures; by conformal decomposition it exists iff the withheld
 * figure lies on a cycle along which every figure can move one unit in the
 * required direction within its bounds (residual graph). So a figure is safe
 * iff it lies on such a cycle, which a breadth-first search decides.
 *
 * Complementary suppression: each unsafe figure, in a fixed order, gets the
 * cheapest cycle through it, found by Dijkstra's algorithm over the residual
 * graph where already withheld figures cost nothing and a shown non-zero
 * figure costs its value (information lost), a total costing more than any
 * number of cells (cells are withheld before margins). Every figure on the
 * new cycle is then safe, and withholding more never makes a safe figure
 * unsafe (it only frees values), so one pass ends with every withheld figure
 * safe. Zeros are never withheld. Everything is deterministic.
 *
 * Sometimes the reasons alone disclose, whatever else is withheld: ten counts
 * of 1 whose total, 10, is a small count too must all be 1. Then the figure
 * is protected against the reader who knows only that withheld figures are
 * not 0, and the result says `reasonsDisclose`: publish its withheld figures
 * without their reasons.
 *
 * Limits: tables of two dimensions (plus lists); no hierarchy or linked
 * tables. Safety means "not pinned to one value", not a protection interval
 * of a given width. The reader is not assumed to invert the heuristic (e.g.
 * to use that a complementary cell was the smallest in its line), nor to
 * difference overlapping responses (other periods, other filters). With
 * min > 1 a complementary figure is taken as anywhere in [1, ∞), though the
 * reader knows it is outside [min, max]; that gap is not used.
 */
import { assertCount, assertPositive } from './validate.js';

export type SuppressionReason = 'small_count' | 'complementary';

export interface DisclosedCount {
  /** The published count, or null when it is withheld. */
  readonly value: number | null;
  /** Why the count is withheld; null when it is shown. */
  readonly suppression: SuppressionReason | null;
}

export interface CountTable {
  /** Counts, one array per row (clinic, pigment), every row as long as the first. */
  readonly cells: readonly (readonly number[])[];
  /** Publish each row's total (default false). */
  readonly rowTotals?: boolean;
  /** Publish each column's total (default false). */
  readonly columnTotals?: boolean;
  /** Publish the grand total (default: when both row and column totals are published). */
  readonly grandTotal?: boolean;
}

export interface SuppressionThreshold {
  /** Smallest count withheld for being small (default 1; 0 is always shown). */
  readonly min?: number;
  /** Largest count withheld for being small (default 10). */
  readonly max?: number;
}

export interface SuppressedTable {
  readonly cells: DisclosedCount[][];
  /** null when row totals are not published. */
  readonly rowTotals: DisclosedCount[] | null;
  /** null when column totals are not published. */
  readonly columnTotals: DisclosedCount[] | null;
  /** null when the grand total is not published. */
  readonly grandTotal: DisclosedCount | null;
  /**
   * True when the reasons themselves would disclose: e.g. ten counts of 1
   * whose withheld total is a small count too (so at most 10) must all be 1.
   * The withheld figures are then safe only if the response does not say
   * which are small counts and which complementary (publish them all alike).
   */
  readonly reasonsDisclose: boolean;
}

export interface SuppressedList {
  readonly items: DisclosedCount[];
  /** null when the total is not published. */
  readonly total: DisclosedCount | null;
  /** See SuppressedTable.reasonsDisclose. */
  readonly reasonsDisclose: boolean;
}

/**
 * Withholds every published figure from min to max (default 1 to 10) and
 * enough other figures that none of the withheld ones can be worked out from
 * what is shown (see the module comment). Throws a RangeError on counts that
 * are not non-negative integers, ragged rows, or a threshold with
 * min < 1 or max ≤ min (a range of one value would itself disclose the count).
 */
export function suppressTable(table: CountTable, threshold: SuppressionThreshold = {}): SuppressedTable {
  const min = threshold.min ?? 1;
  const max = threshold.max ?? 10;
  if (!Number.isInteger(min) || min < 1) throw new RangeError(`min must be an integer ≥ 1, got ${min}`);
  if (!Number.isInteger(max) || max <= min) throw new RangeError(`max must be an integer > min (${min}), got ${max}`);
  const rows = table.cells.length;
  const columns = rows === 0 ? 0 : table.cells[0]!.length;
  table.cells.forEach((row, i) => {
    if (row.length !== columns) throw new RangeError(`row ${i} has ${row.length} counts, row 0 has ${columns}`);
    row.forEach((count, j) => assertCount(`count [${i}][${j}]`, count));
  });
  const rowTotals = table.rowTotals ?? false;
  const columnTotals = table.columnTotals ?? false;
  const grandTotal = table.grandTotal ?? (rowTotals && columnTotals);

  const grid = new ExtendedTable(table.cells, rows, columns, { rowTotals, columnTotals, grandTotal }, min, max);
  const reasonsDisclose = grid.protect();

  const disclosed = (i: number, j: number): DisclosedCount => {
    const state = grid.states[i]![j]!;
    return state === 'shown' ? { value: grid.values[i]![j]!, suppression: null } : { value: null, suppression: state as SuppressionReason };
  };
  const range = (n: number) => Array.from({ length: n }, (_, k) => k);
  return {
    cells: range(rows).map((i) => range(columns).map((j) => disclosed(i, j))),
    rowTotals: rowTotals ? range(rows).map((i) => disclosed(i, columns)) : null,
    columnTotals: columnTotals ? range(columns).map((j) => disclosed(rows, j)) : null,
    grandTotal: grandTotal ? disclosed(rows, columns) : null,
    reasonsDisclose,
  };
}

/**
 * A list with its total (e.g. procedures per clinic and the network's
 * procedures): a one-column table with its column total. `total` defaults to
 * true.
 */
export function suppressList(counts: readonly number[], options: SuppressionThreshold & { total?: boolean } = {}): SuppressedList {
  const total = options.total ?? true;
  // No rows leaves no column to total; the total of nothing is a shown 0.
  if (counts.length === 0) return { items: [], total: total ? { value: 0, suppression: null } : null, reasonsDisclose: false };
  const table = suppressTable({ cells: counts.map((count) => [count]), columnTotals: total }, options);
  return { items: table.cells.map((row) => row[0]!), total: table.columnTotals?.[0] ?? null, reasonsDisclose: table.reasonsDisclose };
}

/**
 * Rate per `per` (default 1,000) from disclosed counts, or null when the
 * numerator or the denominator is withheld (a rate would give the withheld
 * count back) or the denominator is 0 (there is no rate).
 */
export function disclosedRate(numerator: DisclosedCount, denominator: DisclosedCount, per = 1000): number | null {
  assertPositive('per', per);
  if (numerator.value === null || denominator.value === null || denominator.value === 0) return null;
  return (numerator.value / denominator.value) * per;
}

type FigureState = 'shown' | 'unpublished' | SuppressionReason;

interface Publication {
  rowTotals: boolean;
  columnTotals: boolean;
  grandTotal: boolean;
}

interface Figure {
  row: number;
  column: number;
}

/**
 * The (R + 1) × (C + 1) table with its margins at index R (totals row) and C
 * (totals column), as the bipartite graph described in the module comment:
 * node i ≤ R is row i, node R + 1 + j is column j; figure (i, j) is the edge
 * between them.
 */
class ExtendedTable {
  readonly values: number[][];
  readonly states: FigureState[][];
  private readonly complementaryLow: number;
  /** Figures known to lie on a cycle against the reader who knows the reasons. */
  private readonly safe: boolean[][];
  /** Cost of withholding any margin: more than all values together, so cells go first. */
  private readonly marginCost: number;

  constructor(
    cells: readonly (readonly number[])[],
    private readonly rows: number,
    private readonly columns: number,
    publication: Publication,
    private readonly min: number,
    private readonly max: number,
  ) {
    // A shown non-zero count is outside [min, max]; with min = 1 that means ≥ max + 1.
    this.complementaryLow = min === 1 ? max + 1 : 1;
    this.values = Array.from({ length: rows + 1 }, () => new Array<number>(columns + 1).fill(0));
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) {
        const count = cells[i]![j]!;
        this.values[i]![j] = count;
        this.values[i]![columns]! += count;
        this.values[rows]![j]! += count;
        this.values[rows]![columns]! += count;
      }
    }
    // Cells, row totals, column totals and the grand total each add up to the grand total.
    this.marginCost = 4 * this.values[rows]![columns]! + 1;
    this.safe = this.values.map((line) => line.map(() => false));
    this.states = this.values.map((line, i) =>
      line.map((value, j): FigureState => {
        const published =
          (i < rows && j < columns) || (i < rows ? publication.rowTotals : j < columns ? publication.columnTotals : publication.grandTotal);
        if (!published) return 'unpublished';
        return value >= min && value <= max ? 'small_count' : 'shown';
      }),
    );
  }

  /**
   * Withholds complementary figures until every withheld figure is safe
   * against the reader who knows the reasons; where no pattern can do that
   * (the reasons themselves disclose), against the reader who does not, and
   * says so. Returns whether the reasons disclose.
   */
  protect(): boolean {
    let reasonsDisclose = false;
    const work: Figure[] = [];
    this.forEachFigure((row, column) => {
      if (this.states[row]![column] === 'small_count') work.push({ row, column });
    });
    for (let k = 0; k < work.length; k++) {
      const figure = work[k]!;
      if (this.isSafe(figure, true)) continue;
      let cycle = this.cheapestCycle(figure, true);
      if (cycle === null) {
        reasonsDisclose = true;
        if (this.isSafe(figure, false)) continue;
        cycle = this.cheapestCycle(figure, false);
      }
      // Unreachable: without reasons every withheld figure may grow, and its row total, column total and grand total with it.
      if (cycle === null) throw new Error(`no suppression pattern protects figure [${figure.row}][${figure.column}]`);
      for (const added of cycle) {
        this.states[added.row]![added.column] = 'complementary';
        work.push(added);
      }
    }
    return reasonsDisclose;
  }

  /**
   * Whether the figure lies on a cycle of the residual graph (it can take
   * another value). Every figure on a cycle found is safe too, and stays so.
   */
  private isSafe(figure: Figure, reasons: boolean): boolean {
    if (reasons && this.safe[figure.row]![figure.column]) return true;
    for (const [tail, head] of this.directions(figure, reasons)) {
      const path = this.path(head, tail, figure, reasons);
      if (path === null) continue;
      if (reasons) for (const f of [figure, ...path]) this.safe[f.row]![f.column] = true;
      return true;
    }
    return false;
  }

  /** Arcs (tail → head) along which the withheld figure can move: up, then down. */
  private directions(figure: Figure, reasons: boolean): [number, number][] {
    const rowNode = figure.row;
    const columnNode = this.rows + 1 + figure.column;
    const arcs: [number, number][] = [];
    if (this.canMove(figure.row, figure.column, true, false, reasons)) {
      arcs.push(this.forward(figure.row, figure.column) ? [rowNode, columnNode] : [columnNode, rowNode]);
    }
    if (this.canMove(figure.row, figure.column, false, false, reasons)) {
      arcs.push(this.forward(figure.row, figure.column) ? [columnNode, rowNode] : [rowNode, columnNode]);
    }
    return arcs;
  }

  /** Breadth-first path source ⇝ target over withheld figures other than `excluded`: the figures on it, or null. */
  private path(source: number, target: number, excluded: Figure, reasons: boolean): Figure[] | null {
    const via = new Array<Figure | null>(this.rows + this.columns + 2).fill(null);
    const previous = new Array<number>(this.rows + this.columns + 2).fill(-1);
    const queue = [source];
    previous[source] = source;
    for (let k = 0; k < queue.length; k++) {
      const node = queue[k]!;
      if (node === target) {
        const figures: Figure[] = [];
        for (let n = target; n !== source; n = previous[n]!) figures.push(via[n]!);
        return figures;
      }
      this.forEachArc(node, excluded, false, reasons, (next, row, column) => {
        if (previous[next] === -1) {
          previous[next] = node;
          via[next] = { row, column };
          queue.push(next);
        }
      });
    }
    return null;
  }

  /** The cheapest set of shown figures whose withholding puts the figure on a cycle; null when there is none. */
  private cheapestCycle(figure: Figure, reasons: boolean): Figure[] | null {
    let best: { cost: number; added: Figure[] } | null = null;
    for (const [tail, head] of this.directions(figure, reasons)) {
      const path = this.cheapestPath(head, tail, figure, reasons);
      if (path !== null && (best === null || path.cost < best.cost)) best = path;
    }
    return best?.added ?? null;
  }

  /** Dijkstra over withheld figures (cost 0) and shown non-zero figures (their cost), O(V²) with ties to the lower node. */
  private cheapestPath(source: number, target: number, excluded: Figure, reasons: boolean): { cost: number; added: Figure[] } | null {
    const nodes = this.rows + this.columns + 2;
    const distance = new Array<number>(nodes).fill(Infinity);
    const via = new Array<Figure | null>(nodes).fill(null);
    const previous = new Array<number>(nodes).fill(-1);
    const done = new Array<boolean>(nodes).fill(false);
    distance[source] = 0;
    for (;;) {
      let node = -1;
      for (let n = 0; n < nodes; n++) if (!done[n] && distance[n]! < Infinity && (node < 0 || distance[n]! < distance[node]!)) node = n;
      if (node < 0) return null;
      if (node === target) break;
      done[node] = true;
      this.forEachArc(node, excluded, true, reasons, (next, row, column) => {
        const cost = distance[node]! + this.withholdingCost({ row, column });
        if (cost < distance[next]!) {
          distance[next] = cost;
          via[next] = { row, column };
          previous[next] = node;
        }
      });
    }
    const added: Figure[] = [];
    for (let node = target; node !== source; node = previous[node]!) {
      const through = via[node]!;
      if (this.states[through.row]![through.column] === 'shown') added.unshift(through);
    }
    return { cost: distance[target]!, added };
  }

  private withholdingCost(figure: Figure): number {
    if (this.states[figure.row]![figure.column] !== 'shown') return 0;
    const value = this.values[figure.row]![figure.column]!;
    return this.isMargin(figure) ? this.marginCost + value : value;
  }

  /**
   * Calls back for every residual arc leaving the node, i.e. every figure on
   * the node's line that can move one unit in the direction the arc needs;
   * with `candidates`, shown non-zero figures count as if withheld.
   */
  private forEachArc(
    node: number,
    excluded: Figure,
    candidates: boolean,
    reasons: boolean,
    visit: (next: number, row: number, column: number) => void,
  ): void {
    const fromRow = node <= this.rows;
    const length = fromRow ? this.columns + 1 : this.rows + 1;
    for (let k = 0; k < length; k++) {
      const row = fromRow ? node : k;
      const column = fromRow ? k : node - this.rows - 1;
      if (row === excluded.row && column === excluded.column) continue;
      // Forward figures carry flow row → column when they grow; margins the other way.
      const up = fromRow === this.forward(row, column);
      if (!this.canMove(row, column, up, candidates, reasons)) continue;
      visit(fromRow ? this.rows + 1 + column : row, row, column);
    }
  }

  /**
   * Whether the figure may grow (up) or shrink by one within what the reader
   * knows of it: with `reasons`, small counts in [min, max] and complementary
   * ones from complementaryLow; without, any withheld figure from 1.
   */
  private canMove(row: number, column: number, up: boolean, candidates: boolean, reasons: boolean): boolean {
    const value = this.values[row]![column]!;
    const low = reasons ? this.complementaryLow : 1;
    switch (this.states[row]![column]!) {
      case 'shown':
        if (!candidates || value === 0) return false;
        return up || value > low;
      case 'small_count':
        if (!reasons) return up || value > 1;
        return up ? value < this.max : value > this.min;
      case 'complementary':
        return up || value > low;
      case 'unpublished':
        return up || value > 0;
    }
  }

  /** Cells and the grand total have y = x; row and column totals y = −x. */
  private forward(row: number, column: number): boolean {
    return row < this.rows === column < this.columns;
  }

  private isMargin(figure: Figure): boolean {
    return figure.row === this.rows || figure.column === this.columns;
  }

  private forEachFigure(visit: (row: number, column: number) => void): void {
    for (let i = 0; i <= this.rows; i++) for (let j = 0; j <= this.columns; j++) visit(i, j);
  }
}
