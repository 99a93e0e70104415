// The clinic view: the clinic's rate per category over time against the network, its place on the network funnel,
// its serious cases (overdue first), and recording procedures.
import { insights, insightsAll } from '../api.js';
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
  failure,
  h,
  interval,
  loading,
  rate,
  selectField,
  table,
} from '../dom.js';
import { proceduresPanel } from '../procedures.js';
import { casesTable, sortCases } from './cases.js';

const Z95 = 1.959963984540054;
const Z998 = 3.090232306167813;

/**
 * The between-clinic variance τ² behind the clinic's adjusted z, recovered from z = (y − p0) / √(p0(1 − p0)/n + τ²),
 * so that the limits drawn agree with the band the API gave. Null when z says nothing about it (the clinic is on target).
 */
export function recoveredTau2({ reports, procedures, networkRatePer1000, z }) {
  const p0 = networkRatePer1000 / 1000;
  const y = reports / procedures;
  if (z === null || z === undefined || Math.abs(z) < 0.1 || p0 <= 0 || p0 >= 1 || Math.abs(y - p0) < 1e-9) return null;
  const binomial = (p0 * (1 - p0)) / procedures;
  return Math.max(0, ((y - p0) / z) ** 2 - binomial);
}

/** Funnel limits p0 ± z·√(p0(1 − p0)/n + τ²) per 1,000, at sizes up to a little beyond this clinic's, for drawing. */
export function funnelLimits(networkRatePer1000, tau2, largest) {
  const p = networkRatePer1000 / 1000;
  const sizes = Array.from({ length: 60 }, (_, i) => Math.max(1, Math.round(((i + 1) / 60) * largest * 1.25)));
  const limit = (n, z, sign) => Math.min(1000, Math.max(0, (p + sign * z * Math.sqrt((p * (1 - p)) / n + tau2)) * 1000));
  return sizes.map((n) => ({
    procedures: n,
    lower95: limit(n, Z95, -1),
    upper95: limit(n, Z95, 1),
    lower998: limit(n, Z998, -1),
    upper998: limit(n, Z998, 1),
  }));
}

export async function renderClinicView(main, me) {
  clear(main, h('h1', {}, `Clinic ${me.clinicId}`), loading('Loading your figures…'));
  const [incidence, cases, registry] = await Promise.all([
    insights(`/v1/clinics/${encodeURIComponent(me.clinicId)}/incidence`),
    insightsAll('/v1/cases', { serious: 'true', clinicId: me.clinicId }),
    insightsAll('/v1/public/clinics').catch(() => null),
  ]);
  const named = registry?.rows?.find((row) => row.clinicId === me.clinicId);
  const title = named?.name ? `${named.name} (${me.clinicId})` : `Clinic ${me.clinicId}`;

  const reported = CATEGORIES.filter((category) => incidence.funnel?.some((f) => f.category === category && f.reports > 0));
  const { field: categoryField, select } = selectField(
    'Category',
    CATEGORIES.map((category) => [category, CATEGORY_LABELS[category]]),
    { name: 'category', value: reported[0] ?? 'inflammation' },
  );

  const trend = h('div');
  const place = h('div');
  const summary = summaryTable(incidence.funnel ?? []);
  const draw = () => {
    const category = select.value;
    try {
      drawTrend(trend, incidence.rows ?? [], category);
      drawPlace(place, incidence.funnel ?? [], category, title);
    } catch (error) {
      clear(trend, failure(error));
    }
  };
  select.addEventListener('change', draw);

  const seriousRows = sortCases(cases.rows ?? []);
  clear(
    main,
    h('h1', {}, title),
    h('p', {}, 'Your reported complications per 1,000 procedures, counted by the month of the procedure, next to the whole network.'),
    h('div', { class: 'controls panel' }, categoryField),
    h(
      'div',
      { class: 'two-col' },
      h('section', { class: 'panel', 'aria-labelledby': 'over-time' }, h('h2', { id: 'over-time' }, 'Rate over time'), trend),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'on-funnel' },
        h('h2', { id: 'on-funnel' }, 'Your place on the network funnel'),
        place,
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'all-categories' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', { id: 'all-categories' }, 'All categories, whole period'),
        summary ? csvButton('Download CSV', `${me.clinicId}-categories.csv`, () => [summary]) : null,
      ),
      summary ?? empty('No procedures or reports recorded yet.'),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'serious' },
      h('h2', { id: 'serious' }, 'Serious cases and their deadlines'),
      h(
        'p',
        { class: 'hint' },
        'A serious case must reach the regulator within 15 business days of the clinic learning of it. Overdue cases come first.',
      ),
      seriousRows.length ? casesTable(seriousRows, { clinicColumn: false }) : empty('No serious cases.'),
    ),
    proceduresPanel(me.clinicId),
  );
  draw();
}

function summaryTable(funnelRows) {
  if (!funnelRows.length) return null;
  return table(
    [
      { label: 'Category', header: true, render: (r) => CATEGORY_LABELS[r.category] ?? r.category },
      { label: 'Procedures', num: true, render: (r) => count(r.procedures) },
      { label: 'Reports', num: true, render: (r) => count(r.reports), csv: (r) => r.reports },
      { label: 'Per 1,000', num: true, render: (r) => rate(r.ratePer1000) },
      { label: 'Network per 1,000', num: true, render: (r) => rate(r.networkRatePer1000) },
      { label: 'Funnel', render: (r) => band(r.band), csv: (r) => r.band ?? '' },
    ],
    funnelRows,
    { caption: 'Reports per category over the whole period', rowClass: (r) => (r.band?.startsWith('above') ? 'flagged' : undefined) },
  );
}

function drawTrend(container, rows, category) {
  const mine = rows.filter((row) => row.category === category).sort((a, b) => a.month.localeCompare(b.month));
  if (!mine.length) return void clear(container, empty(`No procedures recorded for ${CATEGORY_LABELS[category].toLowerCase()} yet.`));
  const { box, canvas } = chartCanvas(
    `${CATEGORY_LABELS[category]} per 1,000 procedures by month, with its 95% interval and the network rate`,
  );
  const monthTable = table(
    [
      { label: 'Month', header: true, key: 'month' },
      { label: 'Procedures', num: true, render: (r) => count(r.procedures) },
      { label: 'Reports', num: true, render: (r) => count(r.reports), csv: (r) => r.reports },
      { label: 'Per 1,000', num: true, render: (r) => rate(r.ratePer1000) },
      { label: '95% interval', num: true, render: (r) => interval(r.ci95) },
      { label: 'Network per 1,000', num: true, render: (r) => rate(r.networkRatePer1000) },
    ],
    mine,
    { caption: `${CATEGORY_LABELS[category]} by procedure month`, tall: true },
  );
  clear(
    container,
    box,
    h(
      'div',
      { class: 'panel-head' },
      h('span'),
      csvButton('Download CSV', `${category}-by-month.csv`, () => [monthTable]),
    ),
    monthTable,
  );
  drawLater(
    canvas,
    rateOverTime(canvas, {
      months: mine.map((r) => r.month),
      rates: mine.map((r) => r.ratePer1000),
      lower: mine.map((r) => r.ci95?.lower ?? null),
      upper: mine.map((r) => r.ci95?.upper ?? null),
      procedures: mine.map((r) => r.procedures),
      network: mine.map((r) => r.networkRatePer1000),
      label: CATEGORY_LABELS[category],
    }),
  );
}

function drawPlace(container, funnelRows, category, title) {
  const mine = funnelRows.find((row) => row.category === category);
  if (!mine || !mine.procedures) return void clear(container, empty('No procedures recorded yet, so there is no place on the funnel.'));
  const tau2 = mine.tau2 ?? recoveredTau2(mine);
  const limits = mine.limits?.length ? mine.limits : funnelLimits(mine.networkRatePer1000, tau2 ?? 0, mine.procedures);
  const { box, canvas } = chartCanvas(
    `Funnel plot for ${CATEGORY_LABELS[category]}: your clinic at ${rate(mine.ratePer1000)} per 1,000 of ${mine.procedures} procedures`,
  );
  clear(
    container,
    h(
      'p',
      { class: mine.band?.startsWith('above') ? 'notice danger' : 'notice' },
      `${CATEGORY_LABELS[category]}: ${rate(mine.ratePer1000)} per 1,000 procedures (network ${rate(mine.networkRatePer1000)}), `,
      h('strong', {}, BAND_LABELS[mine.band] ?? 'not placed'),
      '.',
    ),
    box,
    h(
      'p',
      { class: 'hint' },
      'The dot is your clinic; the lines are the 95% and 99.8% limits around the network rate for a clinic of each size. ' +
        'Outside a limit means more (or fewer) reports than chance and the usual differences between clinics explain.',
      mine.limits?.length || tau2 !== null
        ? ''
        : ' (Limits drawn without the overdispersion adjustment; the band above is the adjusted one.)',
    ),
  );
  drawLater(
    canvas,
    funnel(canvas, {
      limits,
      networkRate: mine.networkRatePer1000,
      points: [{ x: mine.procedures, y: mine.ratePer1000 ?? 0, label: title, highlight: true }],
    }),
  );
}
