// The regulator view (also for admin keys): clinics on the funnel per category with the outliers named, the pigment
// signal table (sortable by PRR, ROR or IC), the trend per pigment batch, and the serious-case deadline list.
// "Download CSV" saves exactly the tables on screen.
import { insightsAll } from '../api.js';
import { chartCanvas, drawLater, funnel, rateOverTime } from '../charts.js';
import {
  BAND_LABELS,
  CATEGORIES,
  CATEGORY_LABELS,
  band,
  clear,
  count,
  csvButton,
  empty,
  h,
  interval,
  loading,
  rate,
  selectField,
  table,
} from '../dom.js';
import { casesTable, sortCases } from './cases.js';

const CRITERIA = { evans: 'Evans (PRR)', ror: 'ROR', ic: 'IC' };

export async function renderRegulatorView(main, me) {
  clear(main, h('h1', {}, 'Network safety overview'), loading('Loading the network figures…'));
  const [clinicStats, signals, cases, batches] = await Promise.all([
    insightsAll('/v1/stats/clinics'),
    insightsAll('/v1/signals'),
    insightsAll('/v1/cases', { serious: 'true' }),
    insightsAll('/v1/stats/pigments', { groupBy: 'batch', byMonth: 'true' }),
  ]);
  const names = new Map((clinicStats.rows ?? []).map((row) => [row.clinicId, row.name ?? row.clinicId]));
  const onScreen = {};

  // Funnel: the first category with a clinic above its 99.8% limit comes up first.
  const flagged = CATEGORIES.find((category) => clinicStats.rows?.some((row) => row.category === category && row.band === 'above_99_8'));
  const { field: funnelField, select: funnelCategory } = selectField(
    'Category',
    CATEGORIES.map((c) => [c, CATEGORY_LABELS[c]]),
    {
      name: 'funnel-category',
      value: flagged ?? 'infection',
    },
  );
  const funnelBody = h('div');
  const drawFunnel = () => {
    onScreen.funnel = drawClinicFunnel(funnelBody, clinicStats, funnelCategory.value);
  };
  funnelCategory.addEventListener('change', drawFunnel);

  // Signals.
  const signalBody = h('div');
  const only = h('input', { type: 'checkbox', id: 'signals-only', checked: true });
  // By IC025 first: the lower bound keeps pairs with one or two reports from topping the list, as they do by PRR or ROR.
  const sort = { key: 'ic025', order: 'desc' };
  const drawSignals = () => {
    onScreen.signals = drawSignalTable(signalBody, signals.rows ?? [], only.checked, sort, (key) => {
      sort.order = sort.key === key && sort.order === 'desc' ? 'asc' : 'desc';
      sort.key = key;
      drawSignals();
      signalBody.querySelector(`th[aria-sort] button`)?.focus();
    });
  };
  only.addEventListener('change', drawSignals);

  // Trend per batch: the strongest signal's batch and category come up first.
  const top = [...(signals.rows ?? [])]
    .filter((row) => row.signals?.length)
    .sort((a, b) => b.signals.length - a.signals.length || (b.ic?.ic025 ?? -Infinity) - (a.ic?.ic025 ?? -Infinity))[0];
  const batchOptions = uniqueBatches(batches.rows ?? []);
  const { field: batchField, select: batchSelect } = selectField(
    'Pigment batch',
    batchOptions.map((b) => [b.pigmentId, b.label]),
    {
      name: 'trend-batch',
      value: top?.pigmentId ?? batchOptions[0]?.pigmentId,
    },
  );
  const { field: trendCategoryField, select: trendCategory } = selectField(
    'Category',
    CATEGORIES.map((c) => [c, CATEGORY_LABELS[c]]),
    {
      name: 'trend-category',
      value: top?.category ?? 'allergic_reaction',
    },
  );
  const trendBody = h('div');
  const drawTrend = () => {
    onScreen.trend = drawBatchTrend(trendBody, batches.rows ?? [], batchSelect.value, trendCategory.value);
  };
  batchSelect.addEventListener('change', drawTrend);
  trendCategory.addEventListener('change', drawTrend);

  const caseRows = sortCases(cases.rows ?? []);
  onScreen.cases = caseRows.length ? casesTable(caseRows, { names }) : null;

  const tables = () => [onScreen.funnel, onScreen.signals, onScreen.trend, onScreen.cases].filter(Boolean);
  clear(
    main,
    h(
      'div',
      { class: 'panel-head' },
      h('h1', {}, 'Network safety overview'),
      csvButton('Download CSV of this view', 'smp-vigil-overview.csv', tables),
    ),
    h('p', {}, `Signed in as ${me.role}. Rates are per 1,000 procedures, counted by the month of the procedure.`),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'clinic-funnel' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'clinic-funnel' }, 'Clinics on the funnel'),
        csvButton('Download CSV', 'clinics-funnel.csv', () => [onScreen.funnel].filter(Boolean)),
      ),
      h('div', { class: 'controls' }, funnelField),
      funnelBody,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'signals' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'signals' }, 'Pigment signals'),
        csvButton('Download CSV', 'signals.csv', () => [onScreen.signals].filter(Boolean)),
      ),
      h(
        'p',
        { class: 'hint' },
        'Disproportionality among reports: does this batch have more reports of this category than the other pigments? ' +
          'Criteria: Evans (PRR ≥ 2, χ² ≥ 4, at least 3 reports), ROR (lower 95% bound above 1), IC (IC025 above 0). Sort by PRR, ROR or IC with the column buttons.',
      ),
      h('div', { class: 'choices' }, h('label', { for: 'signals-only' }, only, 'Only pairs that meet a criterion')),
      signalBody,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'batch-trend' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'batch-trend' }, 'Trend per pigment batch'),
        csvButton('Download CSV', 'batch-trend.csv', () => [onScreen.trend].filter(Boolean)),
      ),
      h('div', { class: 'controls' }, batchField, trendCategoryField),
      trendBody,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'deadlines' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'deadlines' }, 'Serious cases and deadlines'),
        onScreen.cases ? csvButton('Download CSV', 'serious-cases.csv', () => [onScreen.cases]) : null,
      ),
      h('p', { class: 'hint' }, 'Due to the regulator within 15 business days of the clinic learning of the case; overdue first.'),
      onScreen.cases ?? empty('No serious cases.'),
    ),
  );
  drawFunnel();
  drawSignals();
  drawTrend();
}

function drawClinicFunnel(container, stats, category) {
  const plot = stats.funnels?.find((f) => f.category === category);
  const rows = (stats.rows ?? []).filter((row) => row.category === category && row.procedures > 0);
  if (!plot || rows.length === 0) return void clear(container, empty('No clinic has recorded procedures yet.'));
  const outliers = rows.filter((row) => row.band && row.band !== 'within').sort((a, b) => (b.z ?? 0) - (a.z ?? 0));
  const { box, canvas } = chartCanvas(
    `Funnel plot of ${rows.length} clinics for ${CATEGORY_LABELS[category]}; ${outliers.length ? `outside the limits: ${outliers.map((o) => o.name ?? o.clinicId).join(', ')}` : 'none outside the limits'}`,
  );
  const clinicTable = table(
    [
      { label: 'Clinic', header: true, render: (r) => r.name ?? r.clinicId },
      { label: 'Country', render: (r) => r.country ?? '' },
      { label: 'Procedures', num: true, render: (r) => count(r.procedures) },
      { label: 'Reports', num: true, render: (r) => count(r.reports), csv: (r) => r.reports },
      { label: 'Per 1,000', num: true, render: (r) => rate(r.ratePer1000) },
      { label: '95% interval', num: true, render: (r) => interval(r.ci95) },
      { label: 'z', num: true, render: (r) => (r.z === null || r.z === undefined ? '' : r.z.toFixed(2)) },
      { label: 'Funnel', render: (r) => band(r.band), csv: (r) => r.band ?? '' },
    ],
    [...rows].sort((a, b) => (b.z ?? -Infinity) - (a.z ?? -Infinity)),
    {
      caption: `${CATEGORY_LABELS[category]}: clinics by z-score`,
      tall: true,
      rowClass: (r) => (r.band?.startsWith('above') ? 'flagged' : undefined),
    },
  );
  clear(
    container,
    h(
      'div',
      { class: 'notice', 'data-testid': 'outliers' },
      h('strong', {}, 'Outliers: '),
      outliers.length
        ? h(
            'ul',
            {},
            outliers.map((o) =>
              h(
                'li',
                { 'data-band': o.band },
                `${o.name ?? o.clinicId} (${o.country ?? '?'}): ${rate(o.ratePer1000)} per 1,000 of ${count(o.procedures)} procedures, ${BAND_LABELS[o.band]}`,
              ),
            ),
          )
        : 'none; every clinic is within the limits.',
    ),
    h(
      'p',
      { class: 'hint' },
      `Network rate ${rate(plot.networkRatePer1000)} per 1,000. ` +
        (plot.overdispersed
          ? `The clinics differ more than chance alone explains (φ = ${plot.phi.toFixed(2)}), so the limits are widened (Spiegelhalter's overdispersion adjustment).`
          : 'No overdispersion: the limits are the plain binomial ones.'),
    ),
    box,
    clinicTable,
  );
  drawLater(
    canvas,
    funnel(canvas, {
      limits: plot.limits ?? [],
      networkRate: plot.networkRatePer1000,
      points: rows.map((row) => ({
        x: row.procedures,
        y: row.ratePer1000 ?? 0,
        label: row.name ?? row.clinicId,
        highlight: row.band?.startsWith('above'),
      })),
    }),
  );
  return clinicTable;
}

const SORT_VALUE = { prr: (r) => r.prr?.value, ror: (r) => r.ror?.value, ic: (r) => r.ic?.value, ic025: (r) => r.ic?.ic025 };
const SORT_LABEL = { prr: 'PRR', ror: 'ROR', ic: 'IC', ic025: 'IC025' };

function drawSignalTable(container, rows, onlySignals, sort, onSort) {
  const shown = rows.filter((row) => !onlySignals || row.signals?.length);
  const value = SORT_VALUE[sort.key];
  shown.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return sort.order === 'asc' ? x - y : y - x;
  });
  if (!shown.length)
    return void clear(
      container,
      empty(onlySignals ? 'No pigment–category pair meets a signal criterion.' : 'No reports with a pigment yet.'),
    );
  const signalTable = table(
    [
      { label: 'Batch', header: true, render: (r) => r.batch ?? r.pigmentId },
      { label: 'Pigment', render: (r) => [r.manufacturer, r.product].filter(Boolean).join(' ') },
      { label: 'Category', render: (r) => CATEGORY_LABELS[r.category] ?? r.category, csv: (r) => r.category },
      { label: 'Reports (a)', num: true, render: (r) => count(r.a) },
      { label: 'PRR', num: true, sortKey: 'prr', render: (r) => rate(r.prr?.value, 2) },
      { label: 'PRR 95% CI', num: true, render: (r) => interval(r.prr?.ci95, 2) },
      { label: 'χ²', num: true, render: (r) => rate(r.prr?.chi2, 1) },
      { label: 'ROR', num: true, sortKey: 'ror', render: (r) => rate(r.ror?.value, 2) },
      { label: 'ROR 95% CI', num: true, render: (r) => interval(r.ror?.ci95, 2) },
      { label: 'IC', num: true, sortKey: 'ic', render: (r) => rate(r.ic?.value, 2) },
      { label: 'IC025', num: true, sortKey: 'ic025', render: (r) => rate(r.ic?.ic025, 2) },
      { label: 'Criteria met', render: (r) => (r.signals?.length ? r.signals.map((s) => CRITERIA[s] ?? s).join(', ') : 'none') },
    ],
    shown,
    {
      caption: `${shown.length} pigment–category pair(s), sorted by ${SORT_LABEL[sort.key]} (${sort.order === 'asc' ? 'lowest' : 'highest'} first)`,
      tall: true,
      sort: { ...sort, onSort },
      rowClass: (r) => (r.signals?.length === 3 ? 'flagged' : undefined),
    },
  );
  signalTable.dataset.testid = 'signals';
  clear(container, signalTable);
  return signalTable;
}

function uniqueBatches(rows) {
  const seen = new Map();
  for (const row of rows) {
    if (!seen.has(row.pigmentId))
      seen.set(row.pigmentId, { pigmentId: row.pigmentId, label: `${row.batch} (${row.manufacturer} ${row.product})` });
  }
  return [...seen.values()].sort((a, b) => a.label.localeCompare(b.label));
}

function drawBatchTrend(container, rows, pigmentId, category) {
  const inCategory = rows.filter((row) => row.category === category);
  const mine = inCategory.filter((row) => row.pigmentId === pigmentId).sort((a, b) => a.month.localeCompare(b.month));
  if (!mine.length) return void clear(container, empty('No procedures with this batch yet.'));
  // The network rate in each month: all batches' reports over all batches' procedures in that category.
  const network = new Map();
  for (const row of inCategory) {
    const month = network.get(row.month) ?? { procedures: 0, reports: 0 };
    month.procedures += row.procedures;
    month.reports += row.reports;
    network.set(row.month, month);
  }
  const networkRate = (month) => {
    const m = network.get(month);
    return m?.procedures ? (1000 * m.reports) / m.procedures : null;
  };
  const { box, canvas } = chartCanvas(
    `${CATEGORY_LABELS[category]} per 1,000 procedures by month for batch ${mine[0].batch}, with its 95% interval and the rate of all pigments`,
  );
  const trendTable = table(
    [
      { label: 'Month', header: true, key: 'month' },
      { label: 'Batch', render: (r) => r.batch },
      { label: 'Procedures', num: true, render: (r) => count(r.procedures) },
      { label: 'Reports', num: true, render: (r) => count(r.reports), csv: (r) => r.reports },
      { label: 'Per 1,000', num: true, render: (r) => rate(r.ratePer1000) },
      { label: '95% interval', num: true, render: (r) => interval(r.ci95) },
      { label: 'All pigments per 1,000', num: true, render: (r) => rate(networkRate(r.month)) },
    ],
    mine,
    { caption: `${CATEGORY_LABELS[category]}, batch ${mine[0].batch}, by procedure month`, tall: true },
  );
  clear(container, box, trendTable);
  drawLater(
    canvas,
    rateOverTime(canvas, {
      months: mine.map((r) => r.month),
      rates: mine.map((r) => r.ratePer1000),
      lower: mine.map((r) => r.ci95?.lower ?? null),
      upper: mine.map((r) => r.ci95?.upper ?? null),
      procedures: mine.map((r) => r.procedures),
      network: mine.map((r) => networkRate(r.month)),
      label: `Batch ${mine[0].batch}`,
    }),
  );
  return trendTable;
}
