/* global window, document */
// Charts with Chart.js (window.Chart, from /vendor/chart.js/). No animation: the figures
// show at once, and screenshots are stable. Every chart has a text alternative: its aria-label and the table beside it.
import { h } from './dom.js';

const COLOURS = {
  clinic: '#1f5fbf',
  band: 'rgba(31, 95, 191, 0.15)',
  network: '#5b6472',
  limit95: '#c98a00',
  limit998: '#b3261e',
  point: 'rgba(29, 36, 48, 0.65)',
  highlight: '#b3261e',
};

let library;

/**
 * Chart.js (its self-contained UMD build, served from node_modules), loaded on first use so that the tables show
 * without waiting for it; index.html preloads it.
 */
function chartLibrary() {
  if (window.Chart) return Promise.resolve(window.Chart);
  library ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/chart.js/chart.umd.min.js';
    script.onload = () => resolve(window.Chart);
    script.onerror = () => {
      library = undefined;
      reject(new Error('The chart library did not load; the figures are in the tables below.'));
    };
    document.head.append(script);
  });
  return library;
}

/** A canvas in a sized box, described for screen readers; if the chart cannot be drawn, the box says so. */
export function chartCanvas(description) {
  const canvas = h('canvas', { role: 'img', 'aria-label': description });
  const box = h('div', { class: 'chart-box' }, canvas);
  return { box, canvas };
}

/** Draws a chart without holding up the rest of the view; a failure is shown in place of the chart. */
export function drawLater(canvas, drawing) {
  drawing.then(
    () => canvas.parentElement?.setAttribute('data-drawn', ''),
    (error) => canvas.parentElement?.replaceChildren(h('p', { class: 'notice danger', role: 'alert' }, error.message)),
  );
}

const baseOptions = {
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: 'nearest', intersect: false },
  plugins: { legend: { labels: { boxWidth: 14 } } },
};

/** The median of the numbers given (nulls left out); 0 when there are none. */
function median(values) {
  const sorted = values.filter((value) => value != null).sort((x, y) => x - y);
  if (!sorted.length) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) that is at least `value`. */
function roundUp(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((step) => step * power).find((top) => top >= value);
}

/**
 * The top of a rate chart's axis: room for every rate and network rate, and for the 95% intervals of the months with
 * at least half the median number of procedures. A month with fewer (the month just begun, say) has an interval many
 * times wider than the others; drawn whole it would press every line flat at the bottom, so it runs off the top
 * instead (the table beside the chart gives it). Null when every interval fits: Chart.js then picks the scale.
 */
function rateAxisTop({ rates, network, upper, procedures }) {
  const few = median(procedures) / 2;
  const widest = Math.max(0, ...upper.filter((value) => value != null));
  const shown = [...rates, ...network, ...upper.filter((_, i) => (procedures[i] ?? 0) >= few)].filter((value) => value != null);
  const needed = Math.max(0, ...shown);
  if (needed <= 0 || widest <= needed * 1.25) return null;
  const top = roundUp(needed * 1.1);
  return top < widest ? top : null;
}

/**
 * A rate per month with its 95% band (filled between the bounds) and the network rate beside it. A band too wide for
 * the axis (see rateAxisTop) is cut at the top, and the chart's subtitle says so.
 */
export async function rateOverTime(canvas, { months, rates, lower, upper, network, procedures, label }) {
  const Chart = await chartLibrary();
  Chart.getChart(canvas)?.destroy();
  const top = rateAxisTop({ rates, network, upper, procedures });
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: months,
      datasets: [
        { label: '95% interval (upper)', data: upper, borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: COLOURS.band },
        { label: '95% interval', data: lower, borderWidth: 0, pointRadius: 0, fill: false, backgroundColor: COLOURS.band },
        {
          label,
          data: rates,
          borderColor: COLOURS.clinic,
          backgroundColor: COLOURS.clinic,
          borderWidth: 2,
          pointRadius: 3,
          spanGaps: true,
        },
        {
          label: 'Network rate',
          data: network,
          borderColor: COLOURS.network,
          borderDash: [6, 4],
          borderWidth: 2,
          pointRadius: 0,
          spanGaps: true,
        },
      ],
    },
    options: {
      ...baseOptions,
      scales: { y: { beginAtZero: true, ...(top === null ? {} : { max: top }), title: { display: true, text: 'per 1,000 procedures' } } },
      plugins: {
        ...baseOptions.plugins,
        legend: { labels: { boxWidth: 14, filter: (item) => item.text !== '95% interval (upper)' } },
        subtitle: {
          display: top !== null,
          text: 'Months with few procedures have intervals too wide to show whole: see the table.',
          font: { size: 11 },
        },
      },
    },
  });
}

/** Writes the name of each highlighted point (an outlier, or the signed-in clinic) beside it on the plot. */
const namesHighlightedPoints = {
  id: 'namesHighlightedPoints',
  afterDatasetsDraw(chart) {
    const points = chart.data.datasets[0]?.data ?? [];
    const meta = chart.getDatasetMeta(0);
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.fillStyle = COLOURS.highlight;
    ctx.textBaseline = 'middle';
    points.forEach((point, index) => {
      const element = meta.data[index];
      if (!point.highlight || !element || !point.label) return;
      const width = ctx.measureText(point.label).width;
      // Left of the point when the name would run off the right edge.
      const left = element.x + 10 + width > chartArea.right;
      ctx.textAlign = left ? 'right' : 'left';
      ctx.fillText(point.label, element.x + (left ? -10 : 10), Math.max(chartArea.top + 8, element.y));
    });
    ctx.restore();
  },
};

/**
 * A funnel plot: each clinic's rate against its number of procedures, the network rate, and the 95% and 99.8% control
 * limits. Highlighted points (outliers, or the signed-in clinic) are drawn larger and in red.
 */
export async function funnel(canvas, { limits, points, networkRate }) {
  const Chart = await chartLibrary();
  Chart.getChart(canvas)?.destroy();
  // Limits for very small sizes reach far up and would flatten everything else: draw from half the smallest clinic on.
  const smallest = Math.min(...points.map((p) => p.x));
  const drawn = limits.filter((limit) => limit.procedures >= Math.max(5, smallest / 2));
  const line = (key) => drawn.map((limit) => ({ x: limit.procedures, y: limit[key] }));
  const limitSet = (label, key, colour, dash) => ({
    type: 'line',
    label,
    data: line(key),
    borderColor: colour,
    borderDash: dash,
    borderWidth: 1.5,
    pointRadius: 0,
    fill: false,
  });
  const maxX = Math.max(1, ...points.map((p) => p.x), ...drawn.map((l) => l.procedures));
  const maxY = Math.max(networkRate * 2, ...points.map((p) => p.y), ...drawn.map((l) => l.upper998)) * 1.05;
  return new Chart(canvas, {
    type: 'scatter',
    plugins: [namesHighlightedPoints],
    data: {
      datasets: [
        {
          label: 'Clinics',
          data: points,
          pointRadius: points.map((p) => (p.highlight ? 7 : 4)),
          pointBackgroundColor: points.map((p) => (p.highlight ? COLOURS.highlight : COLOURS.point)),
          pointBorderColor: points.map((p) => (p.highlight ? COLOURS.highlight : COLOURS.point)),
        },
        {
          type: 'line',
          label: 'Network rate',
          data: [
            { x: 0, y: networkRate },
            { x: maxX, y: networkRate },
          ],
          borderColor: COLOURS.network,
          borderWidth: 1.5,
          pointRadius: 0,
        },
        limitSet('95% limits', 'upper95', COLOURS.limit95, [4, 3]),
        { ...limitSet('', 'lower95', COLOURS.limit95, [4, 3]) },
        limitSet('99.8% limits', 'upper998', COLOURS.limit998, []),
        { ...limitSet('', 'lower998', COLOURS.limit998, []) },
      ],
    },
    options: {
      ...baseOptions,
      interaction: { mode: 'nearest', intersect: true },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'procedures' } },
        y: { min: 0, max: Math.ceil(maxY), title: { display: true, text: 'per 1,000 procedures' } },
      },
      plugins: {
        legend: { labels: { boxWidth: 14, filter: (item) => item.text !== '' } },
        tooltip: {
          callbacks: {
            label: (context) =>
              context.dataset.label === 'Clinics'
                ? `${context.raw.label}: ${context.raw.y.toFixed(1)} per 1,000 of ${context.raw.x} procedures`
                : `${context.dataset.label}: ${context.parsed.y.toFixed(1)}`,
          },
        },
      },
    },
  });
}

/** Several lines over months (one per batch), without bands. */
export async function lines(canvas, { months, series }) {
  const Chart = await chartLibrary();
  Chart.getChart(canvas)?.destroy();
  const palette = ['#1f5fbf', '#b3261e', '#1e6b3a', '#8a5a00', '#6b3fa0', '#00798c', '#5b6472', '#c2185b'];
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: months,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.data,
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        borderWidth: s.highlight ? 3 : 1.5,
        pointRadius: 2,
        spanGaps: true,
      })),
    },
    options: { ...baseOptions, scales: { y: { beginAtZero: true, title: { display: true, text: 'per 1,000 procedures' } } } },
  });
}
